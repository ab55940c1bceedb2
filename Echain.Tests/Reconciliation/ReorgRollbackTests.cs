using System.Numerics;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.Reconciliation;

/// <summary>
/// A purchase is delivered by webhook and shown; then the chain reorganizes (evm_revert and another history at the
/// same heights, inside the unfinalized window): another fan buys the same token. The first purchase, its mint and its
/// USDC payment leave every read, the replacement is applied without any webhook, and connected clients are told.
/// Once the blocks are final nothing changes any more.
/// </summary>
public sealed class ReorgRollbackTests : IAsyncLifetime
{
    private const int Confirmations = 5;
    private const long Usdc = 1_000_000;
    private static readonly DateTimeOffset Start = new(2027, 9, 1, 20, 0, 0, TimeSpan.Zero);
    private readonly EchainTestHost _host = new EchainTestHost().Reconciling(Confirmations, TimeSpan.FromMilliseconds(300));

    public Task InitializeAsync() => _host.InitializeAsync();

    [Fact]
    public async Task A_purchase_taken_off_the_chain_disappears_from_every_read_and_the_replacement_is_applied()
    {
        var ledger = _host.Ledger;
        var (organizer, fan, rival) = (await ledger.NewWalletAsync(), await ledger.NewWalletAsync(), await ledger.NewWalletAsync());
        var created = await ledger.CreateEventAsync(organizer, "Reorg night", "Block 0", Start, Start.AddHours(2), 10, 20 * Usdc);
        var eventId = created.EventId.ToString();
        await _host.Webhooks.SendAllAsync([.. created.Deliveries, .. await ledger.FundAsync(fan, 100 * Usdc), .. await ledger.FundAsync(rival, 100 * Usdc)]);
        await _host.Anvil.MineAsync(Confirmations);
        await _host.ReconciledAsync(await ledger.HeadAsync() - Confirmations);

        var beforePurchase = await _host.Anvil.SnapshotAsync();
        await using var watcher = await _host.ConnectAsync(null, eventId);
        await using var fanClient = await _host.ConnectAsync(fan.Address);
        var purchase = await ledger.BuyAsync(fan, created.EventId, "VIP");
        await _host.Webhooks.SendAllAsync(purchase.Deliveries);
        await watcher.WaitForAsync("ticket-purchased", p => p.GetProperty("buyer").GetString() == fan.Address);
        await Eventually.TrueAsync(async () => await BalanceAsync(fan.Address) == 80 * Usdc, "the fan's payment to show");

        // The reorg: the purchase's blocks are replaced by a history in which the rival buys the same token.
        await _host.Anvil.RevertAsync(beforePurchase);
        var replacement = await ledger.BuyAsync(rival, created.EventId, "GA");
        Assert.Equal(purchase.TokenId, replacement.TokenId);

        await Eventually.TrueAsync(async () => await OwnerAsync(eventId, replacement.TokenId) == rival.Address
            && await BalanceAsync(fan.Address) == 100 * Usdc && await BalanceAsync(rival.Address) == 80 * Usdc,
            "the replacement history to be shown");
        var tickets = await _host.GetJsonAsync($"api/users/{fan.Address}/tickets");
        Assert.Empty(tickets.GetProperty("items").EnumerateArray());
        var activity = await _host.GetJsonAsync($"api/events/{eventId}/activity");
        Assert.DoesNotContain(activity.GetProperty("items").EnumerateArray(), a => a.GetProperty("txHash").GetString() == purchase.Purchase.Hash);
        Assert.Contains(activity.GetProperty("items").EnumerateArray(), a => a.GetProperty("txHash").GetString() == replacement.Purchase.Hash);
        var transactions = await _host.GetJsonAsync($"api/users/{fan.Address}/transactions");
        Assert.DoesNotContain(transactions.GetProperty("items").EnumerateArray(), t => t.GetProperty("txHash").GetString() == purchase.Purchase.Hash);
        Assert.Equal(1, (await _host.GetJsonAsync($"api/events/{eventId}")).GetProperty("ticketsSold").GetInt64());
        var comparison = await _host.Comparer().CompareAsync([fan.Address, rival.Address, organizer.Address]);
        Assert.Empty(comparison.Differences);

        // The clients were corrected: the event's group about the event, the fan about the money back.
        await watcher.WaitForAsync("event-updated", p => p.GetProperty("eventId").GetString() == eventId);
        await fanClient.WaitForAsync("balance-updated", p => p.GetProperty("balance").GetString() == (100 * Usdc).ToString());
        var chain = await _host.ChainAsync();
        Assert.Equal(3, chain.Count("rolledBack")); // the USDC payment, the mint and TicketPurchased

        // Final: nothing changes any more, and every item says so.
        await _host.Anvil.MineAsync(Confirmations);
        var head = await ledger.HeadAsync();
        await _host.ReconciledAsync(head - Confirmations);
        var settled = await _host.GetJsonAsync($"api/events/{eventId}/tickets");
        Assert.All(settled.GetProperty("items").EnumerateArray(), t => Assert.True(t.GetProperty("final").GetBoolean(), t.GetRawText()));
        var passes = (await _host.ChainAsync()).GetProperty("reconciler").GetProperty("lastPassAt").GetDateTimeOffset();
        await Eventually.TrueAsync(async () => (await _host.ChainAsync()).GetProperty("reconciler").GetProperty("lastPassAt").GetDateTimeOffset() > passes.AddSeconds(1),
            "more passes over the final blocks");
        Assert.Equal(settled.GetRawText(), (await _host.GetJsonAsync($"api/events/{eventId}/tickets")).GetRawText());
        Assert.Equal(3, (await _host.ChainAsync()).Count("rolledBack"));
    }

    private async Task<string?> OwnerAsync(string eventId, BigInteger tokenId)
    {
        var tickets = await _host.GetJsonAsync($"api/events/{eventId}/tickets");
        return tickets.GetProperty("items").EnumerateArray()
            .Where(t => t.GetProperty("tokenId").GetString() == tokenId.ToString()).Select(t => t.GetProperty("owner").GetString()).FirstOrDefault();
    }

    private async Task<BigInteger> BalanceAsync(string wallet)
    {
        var balances = await _host.GetJsonAsync($"api/users/{wallet}/balances");
        var usdc = balances.GetProperty("items").EnumerateArray()
            .FirstOrDefault(b => string.Equals(b.GetProperty("token").GetString(), _host.Deployment.PaymentToken, StringComparison.OrdinalIgnoreCase));
        return usdc.ValueKind == System.Text.Json.JsonValueKind.Object ? BigInteger.Parse(usdc.GetProperty("balance").GetString()!) : BigInteger.Zero;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();
}
