using System.Numerics;
using Echain.Demo;

// The demo feed: a realistic, correctly signed stream of Coinbase webhooks (an event created,
// tickets bought, resold and used, USDC payments) and a console view of what a client receives.
var options = DemoOptions.Parse(args);
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };

using var http = new HttpClient();
var chain = new SimulatedChain(options.TicketContract, options.PaymentToken);
var sender = new WebhookSender(http, new Uri(options.Api, "api/webhooks/coinbase"), options.Secret);

var organizer = SimulatedChain.RandomAddress();
var fans = Enumerable.Range(0, 5).Select(_ => SimulatedChain.RandomAddress()).ToArray();
// A fresh event id per run, so a restart on kept data starts a new story instead of colliding.
var eventId = new BigInteger(DateTimeOffset.UtcNow.ToUnixTimeSeconds());
var tokenBase = eventId * 1000;

await using var view = new LiveView(options.Api, fans[0], http);
await view.StartAsync(eventId.ToString(), cts.Token);

try
{
    var start = DateTimeOffset.UtcNow.Date.AddDays(30).AddHours(19);
    Console.WriteLine($"[feed] event {eventId}: page {options.Api}events/{eventId}");
    await sender.SendAllAsync(chain.CreateEvent(eventId, organizer, "Base Camp Live", "An evening of onchain music",
        start, start.AddHours(4), maxTickets: 500, ticketPrice: 25_000_000), cts.Token);
    await sender.SendAllAsync(chain.PayUsdc(organizer, fans[0], 100_000_000), cts.Token);

    var owners = new Dictionary<BigInteger, string>();
    for (var n = 1; options.Count == 0 || n <= options.Count; n++)
    {
        var tokenId = tokenBase + n;
        var buyer = fans[Random.Shared.Next(fans.Length)];
        view.MarkSent(tokenId.ToString());
        await sender.SendAllAsync(chain.BuyTicket(eventId, tokenId, buyer, organizer, 25_000_000, n % 5 == 0 ? "VIP" : "General"), cts.Token);
        owners[tokenId] = buyer;
        Console.WriteLine($"[feed] ticket {tokenId} bought by {buyer}");

        if (n % 3 == 0)
        {
            var resold = tokenBase + Random.Shared.Next(1, n + 1);
            var seller = owners[resold];
            var next = fans.First(f => f != seller);
            await Task.Delay(options.Interval / 2, cts.Token);
            await sender.SendAllAsync(chain.Resell(resold, seller, next, 30_000_000), cts.Token);
            owners[resold] = next;
            Console.WriteLine($"[feed] ticket {resold} resold {seller} -> {next}");
        }
        if (n % 4 == 0)
        {
            await sender.SendAllAsync(chain.UseTicket(tokenBase + n - 1, organizer), cts.Token);
            Console.WriteLine($"[feed] ticket {tokenBase + n - 1} checked in");
        }
        await Task.Delay(options.Interval, cts.Token);
    }
    await Task.Delay(TimeSpan.FromSeconds(1), cts.Token); // let the last messages arrive before closing the view
}
catch (OperationCanceledException) when (cts.IsCancellationRequested)
{
    Console.WriteLine("[feed] stopped");
}

internal sealed record DemoOptions(Uri Api, string Secret, string TicketContract, string PaymentToken, TimeSpan Interval, int Count)
{
    public static DemoOptions Parse(string[] args)
    {
        string? Value(string name)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
        }
        string Required(string name) => Value(name) ?? throw new ArgumentException($"{name} is required (see README).");
        var api = Required("--api").TrimEnd('/') + "/";
        return new DemoOptions(new Uri(api), Required("--secret"), Required("--ticket-contract"), Required("--usdc"),
            TimeSpan.FromMilliseconds(double.Parse(Value("--interval-ms") ?? "1500", System.Globalization.CultureInfo.InvariantCulture)),
            int.Parse(Value("--count") ?? "0", System.Globalization.CultureInfo.InvariantCulture));
    }
}
