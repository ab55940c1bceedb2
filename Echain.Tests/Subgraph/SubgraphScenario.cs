using System.Numerics;
using Echain.Demo.Chain;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.Subgraph;

/// <summary>
/// A real app on its own node after a scenario of the frontend's kind: two events, three purchases, a resale and a
/// check-in, every webhook delivered and applied. The subgraph answers are compared with the REST reads of it.
/// </summary>
public sealed class SubgraphScenario : IAsyncLifetime
{
    /// <summary>The test classes that read the scenario share one app: none of them changes it.</summary>
    public const string Collection = "subgraph scenario";

    public const long Usdc = 1_000_000;
    public static readonly DateTimeOffset NightStart = new(2027, 11, 5, 19, 0, 0, TimeSpan.Zero);
    public static readonly DateTimeOffset ShowStart = new(2027, 12, 9, 20, 0, 0, TimeSpan.Zero);

    public EchainTestHost Host { get; } = new();
    public EchainWallet Organizer { get; private set; } = null!;
    public EchainWallet Alice { get; private set; } = null!;
    public EchainWallet Bob { get; private set; } = null!;
    public EchainWallet Carol { get; private set; } = null!;
    public EchainWallet Dave { get; private set; } = null!;
    /// <summary>"GraphQL night": Alice's ticket (resold to Dave) and Bob's (checked in).</summary>
    public CreatedEvent Night { get; private set; } = null!;
    /// <summary>"Second show": Carol's ticket.</summary>
    public CreatedEvent Show { get; private set; } = null!;
    public TicketPurchase AliceTicket { get; private set; } = null!;
    public TicketPurchase BobTicket { get; private set; } = null!;
    public TicketPurchase CarolTicket { get; private set; } = null!;
    public Resale AliceToDave { get; private set; } = null!;
    public MinedTransaction BobCheckIn { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Host.InitializeAsync();
        var ledger = Host.Ledger;
        (Organizer, Alice, Bob, Carol, Dave) = (await ledger.NewWalletAsync(), await ledger.NewWalletAsync(), await ledger.NewWalletAsync(),
            await ledger.NewWalletAsync(), await ledger.NewWalletAsync());
        Night = await ledger.CreateEventAsync(Organizer, "GraphQL night", "Hall A", NightStart, NightStart.AddHours(3), 10, 5 * Usdc);
        Show = await ledger.CreateEventAsync(Organizer, "Second show", "Hall B", ShowStart, ShowStart.AddHours(2), 5, 3 * Usdc);
        await Host.Webhooks.SendAllAsync([.. Night.Deliveries, .. Show.Deliveries]);
        AliceTicket = await ledger.BuyAsync(Alice, Night.EventId, "GA");
        BobTicket = await ledger.BuyAsync(Bob, Night.EventId, "VIP");
        CarolTicket = await ledger.BuyAsync(Carol, Show.EventId, "GA");
        await Host.Webhooks.SendAllAsync([.. AliceTicket.Deliveries, .. BobTicket.Deliveries, .. CarolTicket.Deliveries]);
        await Host.Webhooks.SendAllAsync(await ledger.FundAsync(Dave, 6 * Usdc));
        AliceToDave = await ledger.ResellAsync(Alice, Dave, AliceTicket.TokenId, 6 * Usdc);
        BobCheckIn = await ledger.CheckInAsync(Organizer, BobTicket.TokenId);
        await Host.Webhooks.SendAllAsync([.. AliceToDave.Deliveries, .. BobCheckIn]);
        await Host.DrainedAsync();
        // Drained means taken off the queue; the last log applied means every read shows the scenario.
        await Eventually.TrueAsync(async () =>
            (await Host.GetJsonAsync($"api/users/{Dave.Address}/tickets")).GetProperty("items").GetArrayLength() == 1
            && (await Host.GetJsonAsync($"api/events/{Night.EventId}/activity")).GetProperty("items").EnumerateArray()
                .Any(a => a.GetProperty("kind").GetString() == "check-in"), "the scenario to be applied");
    }

    public Task DisposeAsync() => Host.DisposeAsync();

    public static long Unix(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds();

    public static string Text(BigInteger value) => value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

[CollectionDefinition(SubgraphScenario.Collection)]
public sealed class SubgraphScenarioCollection : ICollectionFixture<SubgraphScenario>;
