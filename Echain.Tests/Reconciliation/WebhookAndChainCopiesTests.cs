using Echain.Tests.Infrastructure;

namespace Echain.Tests.Reconciliation;

/// <summary>
/// The same log reaches the projector twice, once by webhook and once from the chain, in either order: it is applied
/// once, and a connected client hears about it once.
/// </summary>
public sealed class WebhookAndChainCopiesTests : IAsyncLifetime
{
    private const int Confirmations = 2;
    private static readonly DateTimeOffset Start = new(2027, 10, 1, 20, 0, 0, TimeSpan.Zero);
    private readonly EchainTestHost _host = new EchainTestHost().Reconciling(Confirmations, TimeSpan.FromMilliseconds(300));

    public Task InitializeAsync() => _host.InitializeAsync();

    [Fact]
    public async Task The_reconciler_first_then_the_webhook_applies_once()
    {
        var ledger = _host.Ledger;
        var organizer = await ledger.NewWalletAsync();
        await using var watcher = await _host.ConnectAsync(organizer.Address);
        var created = await ledger.CreateEventAsync(organizer, "Chain first", "", Start, Start.AddHours(1), 5, 0);
        await _host.Anvil.MineAsync(Confirmations);
        await _host.ReconciledAsync(created.Transaction.BlockNumber); // healed: no webhook came

        await _host.Webhooks.SendAllAsync(created.Deliveries);       // the late webhook
        await _host.DrainedAsync();
        await _host.ReconciledAsync(await ledger.HeadAsync() - Confirmations);

        var chain = await _host.ChainAsync();
        Assert.Equal(1, chain.Count("healed"));
        Assert.Single((await _host.GetJsonAsync("api/events")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task The_webhook_first_then_the_reconciler_applies_once_and_emits_nothing_more()
    {
        var ledger = _host.Ledger;
        var (organizer, fan) = (await ledger.NewWalletAsync(), await ledger.NewWalletAsync());
        var created = await ledger.CreateEventAsync(organizer, "Webhook first", "", Start, Start.AddHours(1), 5, 0);
        await using var watcher = await _host.ConnectAsync(null, created.EventId.ToString());
        var purchase = await ledger.BuyAsync(fan, created.EventId, "GA");
        await _host.Webhooks.SendAllAsync([.. created.Deliveries, .. purchase.Deliveries]);
        await watcher.WaitForAsync("ticket-purchased", p => p.GetProperty("buyer").GetString() == fan.Address);

        var healedBefore = (await _host.ChainAsync()).Count("healed");
        await _host.Anvil.MineAsync(Confirmations);
        await _host.ReconciledAsync(purchase.Purchase.BlockNumber);
        await _host.DrainedAsync();

        Assert.Equal(healedBefore, (await _host.ChainAsync()).Count("healed"));
        Assert.Single(watcher.Messages, m => m.Target == "ticket-purchased");
        var tickets = await _host.GetJsonAsync($"api/events/{created.EventId}/tickets");
        var ticket = Assert.Single(tickets.GetProperty("items").EnumerateArray());
        Assert.True(ticket.GetProperty("final").GetBoolean()); // verified against the chain, not applied again
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();
}
