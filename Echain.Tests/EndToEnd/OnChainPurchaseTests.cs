using System.Numerics;
using System.Text.Json;
using Echain.Demo.Chain;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.EndToEnd;

/// <summary>
/// A purchase and a resale made on a real node, delivered as CDP delivers them (signed, one log per request,
/// all at once in no particular order): a SignalR client in the event's group is told, and every read agrees
/// with the contracts' own answers (ownerOf, the sold count, balanceOf).
/// </summary>
public sealed class OnChainPurchaseTests(EchainTestHost host) : IClassFixture<EchainTestHost>
{
    private static readonly DateTimeOffset Start = new(2027, 9, 10, 19, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_purchase_on_chain_reaches_the_event_group_and_the_reads_show_the_chain_owner_then_follow_a_resale()
    {
        var ledger = host.Ledger;
        var organizer = await ledger.NewWalletAsync();
        var buyer = await ledger.NewWalletAsync();
        var collector = await ledger.NewWalletAsync();
        var created = await ledger.CreateEventAsync(organizer, "Harbour lights", "Pier 4", Start, Start.AddHours(3), 3, 12_500_000);
        var eventId = created.EventId.ToString();
        await host.Webhooks.SendAllAsync(created.Deliveries);
        await host.DrainedAsync();
        await using var client = await host.ConnectAsync(wallet: null, eventId);

        var purchase = await ledger.BuyAsync(buyer, created.EventId, "Front row");
        await DeliverUnorderedAsync(purchase.Deliveries);

        var tokenId = purchase.TokenId.ToString();
        var purchased = await client.WaitForAsync("ticket-purchased", p => p.GetProperty("ticketId").GetString() == tokenId);
        var seq = purchased.Payload.GetProperty("seq").GetInt64(); // after the creation's message
        Assert.True(seq > 1, $"seq {seq}");
        Assert.Equal(JsonSerializer.Serialize(new { ticketId = tokenId, buyer = buyer.Address, eventId, stream = $"event-{eventId}", seq }),
            purchased.Payload.GetRawText());
        await host.DrainedAsync();
        await AssertReadsAgreeWithTheChainAsync(created.EventId, purchase.TokenId, buyer, organizer);
        var ticket = await TicketAsync(eventId, tokenId);
        Assert.Equal(("Front row", "12500000", false),
            (ticket.GetProperty("ticketType").GetString(), ticket.GetProperty("price").GetString(), ticket.GetProperty("isUsed").GetBoolean()));

        await DeliverUnorderedAsync(await ledger.FundAsync(collector, 20_000_000));
        var resale = await ledger.ResellAsync(buyer, collector, purchase.TokenId, 20_000_000);
        await DeliverUnorderedAsync(resale.Deliveries);

        var moved = await client.WaitForAsync("ticket-transferred", p => p.GetProperty("ticketId").GetString() == tokenId
            && p.GetProperty("to").GetString() == collector.Address);
        Assert.Equal(buyer.Address, moved.Payload.GetProperty("from").GetString());
        await host.DrainedAsync();
        await AssertReadsAgreeWithTheChainAsync(created.EventId, purchase.TokenId, buyer, organizer, collector);
        Assert.Empty((await host.GetJsonAsync($"api/users/{buyer.Address}/tickets")).GetProperty("items").EnumerateArray());
        var collected = Assert.Single((await host.GetJsonAsync($"api/users/{collector.Address}/tickets")).GetProperty("items").EnumerateArray());
        Assert.Equal(tokenId, collected.GetProperty("tokenId").GetString());
    }

    /// <summary>Every delivery at once: CDP promises no order, and its retries run in parallel.</summary>
    private Task DeliverUnorderedAsync(IEnumerable<CdpActivity> deliveries) =>
        Task.WhenAll(deliveries.Reverse().Select(d => host.Webhooks.SendAllAsync([d])));

    private async Task AssertReadsAgreeWithTheChainAsync(BigInteger eventId, BigInteger tokenId, params EchainWallet[] wallets)
    {
        var state = host.Ledger.State;
        var view = await host.GetJsonAsync($"api/events/{eventId}");
        var onChain = await state.EventAsync(eventId);
        Assert.Equal(onChain.Sold, new BigInteger(view.GetProperty("ticketsSold").GetInt64()));
        Assert.Equal((onChain.MaxTickets - onChain.Sold).ToString(), view.GetProperty("available").GetString());
        Assert.Equal(await state.OwnerOfAsync(tokenId), (await TicketAsync(eventId.ToString(), tokenId.ToString())).GetProperty("owner").GetString());
        foreach (var wallet in wallets)
        {
            var balances = (await host.GetJsonAsync($"api/users/{wallet.Address}/balances")).GetProperty("items").EnumerateArray()
                .ToDictionary(b => b.GetProperty("token").GetString()!, b => b.GetProperty("balance").GetString());
            Assert.Equal((await state.UsdcBalanceAsync(wallet.Address)).ToString(), balances.GetValueOrDefault(host.Deployment.PaymentToken, "0"));
        }
    }

    private async Task<JsonElement> TicketAsync(string eventId, string tokenId) =>
        Assert.Single((await host.GetJsonAsync($"api/events/{eventId}/tickets")).GetProperty("items").EnumerateArray(),
            t => t.GetProperty("tokenId").GetString() == tokenId);
}
