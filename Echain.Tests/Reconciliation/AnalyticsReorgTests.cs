using System.Text.Json;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.Reconciliation;

/// <summary>
/// A reorg takes a delivered purchase off the chain (evm_revert, then other blocks at its heights): the reconciler undoes
/// it, and the event's and the buyer's analytics, cached with the purchase in them, drop it.
/// </summary>
public sealed class AnalyticsReorgTests : IAsyncLifetime
{
    private const int Confirmations = 5;
    private const long Usdc = 1_000_000;
    private static readonly DateTimeOffset Start = new(2027, 11, 1, 20, 0, 0, TimeSpan.Zero);
    private readonly EchainTestHost _host = new EchainTestHost().Reconciling(Confirmations, TimeSpan.FromMilliseconds(300));

    public Task InitializeAsync() => _host.InitializeAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task A_purchase_rolled_back_by_a_reorg_leaves_sold_revenue_and_the_buyers_total()
    {
        var ledger = _host.Ledger;
        var (organizer, fan) = (await ledger.NewWalletAsync(), await ledger.NewWalletAsync());
        var created = await ledger.CreateEventAsync(organizer, "Reorg sales", "", Start, Start.AddHours(2), 10, 20 * Usdc);
        var eventId = created.EventId.ToString();
        var kept = await ledger.BuyAsync(fan, created.EventId, "GA");
        await _host.Webhooks.SendAllAsync([.. created.Deliveries, .. kept.Deliveries, .. await ledger.FundAsync(fan, 100 * Usdc)]);
        await _host.Anvil.MineAsync(Confirmations);
        await _host.ReconciledAsync(await ledger.HeadAsync() - Confirmations);

        var beforePurchase = await _host.Anvil.SnapshotAsync();
        var dropped = await ledger.BuyAsync(fan, created.EventId, "VIP");
        await _host.Webhooks.SendAllAsync(dropped.Deliveries);
        var path = $"api/events/{eventId}/analytics";
        var fanPath = $"api/users/{fan.Address}/analytics";
        await Eventually.TrueAsync(async () => (await _host.GetJsonAsync(path)).GetProperty("ticketsSold").GetInt64() == 2, "both purchases to show");
        var both = await WarmAsync(path);
        Assert.Equal("40000000", both.GetProperty("revenue").GetString());
        Assert.Equal(2, TicketsInBuckets(both));
        Assert.Equal("40000000", (await WarmAsync(fanPath)).GetProperty("totalSpent").GetString());

        // The reorg: other (empty) blocks at the purchase's heights and beyond.
        await _host.Anvil.RevertAsync(beforePurchase);
        await _host.Anvil.MineAsync(Confirmations + 6);

        await Eventually.TrueAsync(async () => (await _host.GetJsonAsync(path)).GetProperty("ticketsSold").GetInt64() == 1,
            "the rolled-back purchase to leave the analytics");
        var after = await _host.GetJsonAsync(path);
        Assert.Equal(("20000000", "9", 1L), (after.GetProperty("revenue").GetString(), after.GetProperty("ticketsAvailable").GetString(),
            after.GetProperty("uniqueHolders").GetInt64()));
        Assert.Equal(1, TicketsInBuckets(after));
        Assert.Equal((long)(await ledger.State.EventAsync(created.EventId)).Sold, after.GetProperty("ticketsSold").GetInt64());
        var fanAfter = await _host.GetJsonAsync(fanPath);
        Assert.Equal(("20000000", 1L), (fanAfter.GetProperty("totalSpent").GetString(), fanAfter.GetProperty("ticketsHeld").GetInt64()));
        Assert.True((await _host.ChainAsync()).Count("rolledBack") >= 2, "the purchase and its mint were rolled back");
    }

    private async Task<JsonElement> WarmAsync(string path)
    {
        var value = await _host.GetJsonAsync(path);
        using var cached = await _host.GetAsync(path);
        Assert.Equal("hit", cached.Headers.GetValues("X-Cache").Single());
        return value;
    }

    private static long TicketsInBuckets(JsonElement analytics) =>
        analytics.GetProperty("salesPerHour").EnumerateArray().Sum(b => b.GetProperty("tickets").GetInt64());
}
