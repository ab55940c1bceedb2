using Nethereum.Util;

namespace Echain.Demo.Emulator;

/// <summary>What a <see cref="CdpEmulator"/> follows, where it delivers, and how badly it behaves on purpose.</summary>
public sealed record EmulatorOptions
{
    public const string DefaultNetwork = "base-sepolia";

    public Uri RpcUrl { get; init; } = new("http://127.0.0.1:8545");

    /// <summary>The full webhook URL, e.g. http://127.0.0.1:7071/api/webhooks/coinbase.</summary>
    public required Uri WebhookUrl { get; init; }

    /// <summary>The network name the activities carry (chain 84532 is CDP's base-sepolia).</summary>
    public string Network { get; init; } = DefaultNetwork;

    public required IReadOnlyList<CdpSubscription> Subscriptions { get; init; }

    /// <summary>How often the node's head is polled when there is nothing new.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    public DeliveryRetryPolicy Retry { get; init; } = new();

    /// <summary>Attempts in flight at once; above one, deliveries overtake each other as CDP's do.</summary>
    public int MaxConcurrentDeliveries { get; init; } = 8;

    /// <summary>0..1: the share of deliveries sent a second time with the same event id.</summary>
    public double DuplicateRate { get; init; }

    /// <summary>Deliveries are held up to this many and released in random order (0 or 1: as they come).</summary>
    public int ShuffleWindow { get; init; }

    /// <summary>0..1: the share of deliveries never sent, like a subscription that gave up.</summary>
    public double DropRate { get; init; }

    /// <summary>Makes duplicate, shuffle and drop decisions repeatable.</summary>
    public int? Seed { get; init; }

    /// <summary>Where the next block to read is kept across restarts.</summary>
    public string? CheckpointFile { get; init; }

    /// <summary>The first block to read; before the checkpoint and the head.</summary>
    public long? FromBlock { get; init; }

    /// <summary>Why these options cannot run, one reason a line; empty when they can.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!IsHttp(RpcUrl)) problems.Add($"the RPC URL {RpcUrl} is not an absolute http(s) URL");
        if (!IsHttp(WebhookUrl)) problems.Add($"the webhook URL {WebhookUrl} is not an absolute http(s) URL");
        if (string.IsNullOrWhiteSpace(Network)) problems.Add("the network name is empty");
        if (Subscriptions.Count == 0) problems.Add("at least one subscription is needed");
        foreach (var s in Subscriptions)
        {
            if (!AddressUtil.Current.IsValidEthereumAddressHexFormat(s.ContractAddress))
                problems.Add($"the subscription contract '{s.ContractAddress}' is not a 0x-prefixed 20-byte address");
            if (s.EventName is { Length: 0 }) problems.Add($"the subscription on {s.ContractAddress} names an empty event");
            if (string.IsNullOrEmpty(s.Secret)) problems.Add($"the subscription on {s.ContractAddress} has no secret");
        }
        if (PollInterval <= TimeSpan.Zero) problems.Add("the poll interval must be positive");
        if (MaxConcurrentDeliveries < 1) problems.Add("at least one delivery must be allowed in flight");
        if (DuplicateRate is < 0 or > 1 || double.IsNaN(DuplicateRate)) problems.Add("the duplicate rate must be between 0 and 1");
        if (DropRate is < 0 or > 1 || double.IsNaN(DropRate)) problems.Add("the drop rate must be between 0 and 1");
        if (ShuffleWindow < 0) problems.Add("the shuffle window must not be negative");
        if (FromBlock < 0) problems.Add("the first block must not be negative");
        problems.AddRange(Retry.Problems());
        return problems;
    }

    private static bool IsHttp(Uri uri) => uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
