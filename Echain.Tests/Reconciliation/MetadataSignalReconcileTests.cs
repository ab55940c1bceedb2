using Echain.Tests.Infrastructure;

namespace Echain.Tests.Reconciliation;

/// <summary>
/// The ticket contract's refresh logs (TicketBaseURIUpdated, BatchMetadataUpdate, MetadataUpdate) sit in the same
/// blocks as the projected ones. The reconciler must not take them for gaps: the checkpoint passes their blocks and
/// no pass queues them, whether the webhooks delivered them or not.
/// </summary>
public sealed class MetadataSignalReconcileTests : IAsyncLifetime
{
    private const int Confirmations = 2;
    private static readonly DateTimeOffset Start = new(2027, 12, 1, 20, 0, 0, TimeSpan.Zero);
    private readonly EchainTestHost _host = new EchainTestHost().Reconciling(Confirmations, TimeSpan.FromMilliseconds(300));

    public Task InitializeAsync() => _host.InitializeAsync();

    [Fact]
    public async Task Refresh_logs_are_never_gaps_the_reconciler_heals_only_the_projected_logs_and_then_queues_nothing()
    {
        var ledger = _host.Ledger;
        var (organizer, fan) = (await ledger.NewWalletAsync(), await ledger.NewWalletAsync());
        var created = await ledger.CreateEventAsync(organizer, "Refreshing", "", Start, Start.AddHours(1), 5, 0);
        var purchase = await ledger.BuyAsync(fan, created.EventId, "GA");
        var delivered = await ledger.SetTicketBaseUriAsync(organizer, created.EventId, "https://tickets.example/api/tickets/");
        // Webhooks deliver the base change (acknowledged, nothing applied) but never the check-in: a real gap next to a signal.
        await _host.Webhooks.SendAllAsync([.. created.Deliveries, .. purchase.Deliveries, .. delivered]);
        await _host.DrainedAsync();
        var checkIn = await ledger.CheckInAsync(organizer, purchase.TokenId);
        Assert.Equal(["TicketUsed", "MetadataUpdate"], checkIn.Select(a => a.EventName));
        var healedBefore = (await _host.ChainAsync()).Count("healed");

        await _host.Anvil.MineAsync(Confirmations);
        await _host.ReconciledAsync(checkIn.BlockNumber);

        var chain = await _host.ChainAsync();
        Assert.Equal(healedBefore + 1, chain.Count("healed")); // the TicketUsed alone, not its MetadataUpdate
        var ticket = Assert.Single((await _host.GetJsonAsync($"api/events/{created.EventId}/tickets")).GetProperty("items").EnumerateArray());
        Assert.True(ticket.GetProperty("isUsed").GetBoolean());

        // Later passes over the same (now final) blocks and the unfinal window find nothing to queue.
        var queued = await _host.QueuedTotalAsync();
        await _host.Anvil.MineAsync(Confirmations);
        await _host.ReconciledAsync(await ledger.HeadAsync() - Confirmations);
        await Task.Delay(TimeSpan.FromSeconds(1)); // a few more passes at 300 ms
        Assert.Equal(queued, await _host.QueuedTotalAsync());
        Assert.Equal(healedBefore + 1, (await _host.ChainAsync()).Count("healed"));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();
}
