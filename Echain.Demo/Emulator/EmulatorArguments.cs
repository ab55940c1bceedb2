using System.Globalization;

namespace Echain.Demo.Emulator;

/// <summary>The <c>emulate</c> command line: flags to <see cref="EmulatorOptions"/>, or every reason they are not.</summary>
public static class EmulatorArguments
{
    public const string Usage = """
        usage: emulate --webhook <url> --subscription contract=<0x..>[,event=<Name>],secret=<s> [...]
          --rpc <url>               the node (default http://127.0.0.1:8545)
          --webhook <url>           the full webhook URL, e.g. http://127.0.0.1:7071/api/webhooks/coinbase
          --network <name>          the network the activities and subscriptions name (default base-sepolia)
          --subscription <labels>   repeatable; event= is optional (all events of the contract)
          --duplicate-rate <0..1>   share of deliveries sent twice with the same event id
          --shuffle-window <n>      hold up to n deliveries and release them in random order
          --drop-rate <0..1>        share of deliveries never sent
          --seed <n>                repeatable duplicate, shuffle and drop decisions
          --checkpoint <file>       where the next block to read is kept across restarts
          --from-block <n>          the first block to read (default: the checkpoint, else the head + 1)
          --retry-base-ms <n>       the first retry delay, doubled per failure up to 60 s (default 1000)
        """;

    public static bool TryParse(IReadOnlyList<string> args, out EmulatorOptions? options, out IReadOnlyList<string> problems)
    {
        var errors = new List<string>();
        Uri? rpc = null, webhook = null;
        string? network = null, checkpoint = null;
        double duplicateRate = 0, dropRate = 0;
        int shuffleWindow = 0;
        int? seed = null, retryBaseMs = null;
        long? fromBlock = null;
        var subscriptions = new List<(string Contract, string? Event, string Secret)>();

        for (var i = 0; i < args.Count; i++)
        {
            var flag = args[i];
            if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
            {
                errors.Add(flag.StartsWith("--", StringComparison.Ordinal) ? $"{flag} needs a value" : $"unexpected argument '{flag}'");
                continue;
            }
            var value = args[++i];
            switch (flag)
            {
                case "--rpc": rpc = Url(flag, value, errors); break;
                case "--webhook": webhook = Url(flag, value, errors); break;
                case "--network": network = value; break;
                case "--subscription": if (Subscription(value, errors) is { } s) subscriptions.Add(s); break;
                case "--duplicate-rate": duplicateRate = Fraction(flag, value, errors); break;
                case "--shuffle-window": shuffleWindow = (int)Whole(flag, value, errors, int.MinValue, int.MaxValue); break;
                case "--drop-rate": dropRate = Fraction(flag, value, errors); break;
                case "--seed": seed = (int)Whole(flag, value, errors, int.MinValue, int.MaxValue); break;
                case "--checkpoint": checkpoint = value; break;
                case "--from-block": fromBlock = Whole(flag, value, errors, long.MinValue, long.MaxValue); break;
                case "--retry-base-ms": retryBaseMs = (int)Whole(flag, value, errors, int.MinValue, int.MaxValue); break;
                default: errors.Add($"unknown flag {flag}"); break;
            }
        }
        if (webhook is null && !errors.Any(e => e.StartsWith("--webhook", StringComparison.Ordinal)))
            errors.Add("--webhook is required");
        if (subscriptions.Count == 0) errors.Add("at least one --subscription is required");

        options = null;
        if (errors.Count == 0)
        {
            var defaults = new DeliveryRetryPolicy();
            network ??= EmulatorOptions.DefaultNetwork;
            options = new EmulatorOptions
            {
                WebhookUrl = webhook!,
                Network = network,
                Subscriptions = subscriptions.Select(s => new CdpSubscription(network, s.Contract, s.Event, s.Secret)).ToArray(),
                DuplicateRate = duplicateRate,
                ShuffleWindow = shuffleWindow,
                DropRate = dropRate,
                Seed = seed,
                CheckpointFile = checkpoint,
                FromBlock = fromBlock,
                Retry = retryBaseMs is { } ms ? defaults with { BaseDelay = TimeSpan.FromMilliseconds(ms) } : defaults,
            };
            if (rpc is not null) options = options with { RpcUrl = rpc };
            errors.AddRange(options.Problems());
            if (errors.Count > 0) options = null;
        }
        problems = errors;
        return options is not null;
    }

    /// <summary><c>contract=0x..,event=Name,secret=s</c>; a bad part is named by its key, never by its value (it may be the secret).</summary>
    private static (string Contract, string? Event, string Secret)? Subscription(string value, List<string> errors)
    {
        string? contract = null, eventName = null, secret = null;
        var before = errors.Count;
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=');
            var key = eq < 0 ? part : part[..eq];
            var text = eq < 0 ? "" : part[(eq + 1)..];
            switch (key)
            {
                case "contract": contract = text; break;
                case "event": eventName = text; break;
                case "secret": secret = text; break;
                default: errors.Add($"--subscription: unknown label '{(eq < 0 ? "(no '=')" : key)}' (contract, event and secret are known)"); break;
            }
        }
        if (string.IsNullOrEmpty(contract)) errors.Add("--subscription: contract= is required");
        if (string.IsNullOrEmpty(secret)) errors.Add("--subscription: secret= is required");
        return errors.Count == before ? (contract!, eventName, secret!) : null;
    }

    private static Uri? Url(string flag, string value, List<string> errors)
    {
        if (Uri.TryCreate(value, UriKind.Absolute, out var uri)) return uri;
        errors.Add($"{flag}: '{value}' is not an absolute URL");
        return null;
    }

    private static long Whole(string flag, string value, List<string> errors, long min, long max)
    {
        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max)
            return number;
        errors.Add($"{flag}: '{value}' is not a whole number");
        return 0;
    }

    private static double Fraction(string flag, string value, List<string> errors)
    {
        if (double.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return number;
        errors.Add($"{flag}: '{value}' is not a number");
        return 0;
    }
}
