using Echain.Tests.Infrastructure;
using static Echain.Tests.Subgraph.SubgraphScenario;

namespace Echain.Tests.Subgraph;

/// <summary>
/// The read-after-notification guarantee for GraphQL: every query below is answered (and so cached) before a change,
/// and asked again the moment the change's realtime message arrives — it shows the change, through each kind of cache
/// entry the subgraph uses (an event, an event's tickets, a holder's tickets, a ticket, the unpinned collections).
/// </summary>
public sealed class ReadAfterNotificationTests(EchainTestHost host) : IClassFixture<EchainTestHost>
{
    private const string Queries =
        """
        query($id: ID!, $ticket: ID!, $buyer: Bytes!, $friend: Bytes!, $title: String!) {
          event(id: $id) { title tickets { id owner isUsed } }
          unused: event(id: $id) { tickets(where: { isUsed: false }) { id } }
          bought: tickets(where: { owner: $buyer }) { id }
          received: tickets(where: { owner: $friend }) { id }
          byTitle: tickets(where: { event_: { title: $title } }) { id }
          ticket(id: $ticket) { owner isUsed transferredAt }
          events(where: { title: $title }) { id }
          transactions(orderBy: timestamp) { transactionType }
        }
        """;

    [Fact]
    public async Task A_query_asked_on_each_message_shows_the_purchase_the_resale_the_check_in_and_the_rename()
    {
        var ledger = host.Ledger;
        var (organizer, buyer, friend) = (await ledger.NewWalletAsync(), await ledger.NewWalletAsync(), await ledger.NewWalletAsync());
        var created = await ledger.CreateEventAsync(organizer, "Before", "", NightStart, NightStart.AddHours(1), 5, 2 * Usdc);
        await host.Webhooks.SendAllAsync(created.Deliveries);
        await host.DrainedAsync();
        var id = Text(created.EventId);
        await using var watcher = await host.ConnectAsync(null, id);
        var variables = (string ticket, string title) => new { id, ticket, buyer = buyer.Address, friend = friend.Address, title };

        // Warm every entry, then buy: the answer on the purchase message has the ticket everywhere.
        var unknownTicket = "999999";
        await host.QueryAsync(Queries, variables(unknownTicket, "Before"));
        var purchase = await ledger.BuyAsync(buyer, created.EventId, "GA");
        var ticket = Text(purchase.TokenId);
        await host.QueryAsync(Queries, variables(ticket, "Before"));
        await host.Webhooks.SendAllAsync(purchase.Deliveries);
        await watcher.WaitForAsync("ticket-purchased", p => p.GetProperty("ticketId").GetString() == ticket);
        var bought = await host.QueryAsync(Queries, variables(ticket, "Before"));
        Assert.Equal([ticket], Ids(bought, "bought"));
        Assert.Equal([ticket], Ids(bought.GetProperty("event"), "tickets"));
        Assert.Equal([ticket], Ids(bought.GetProperty("unused"), "tickets"));
        Assert.Equal([ticket], Ids(bought, "byTitle"));
        Assert.Equal(buyer.Address, bought.GetProperty("ticket").GetProperty("owner").GetString());
        Assert.Contains("purchase", bought.GetProperty("transactions").EnumerateArray().Select(t => t.GetProperty("transactionType").GetString()));

        // The resale: the friend holds it, the buyer no longer does, the ticket moved.
        await host.Webhooks.SendAllAsync(await ledger.FundAsync(friend, 2 * Usdc));
        var resale = await ledger.ResellAsync(buyer, friend, purchase.TokenId, 2 * Usdc);
        await host.Webhooks.SendAllAsync(resale.Deliveries);
        await watcher.WaitForAsync("ticket-transferred", p => p.GetProperty("to").GetString() == friend.Address);
        var moved = await host.QueryAsync(Queries, variables(ticket, "Before"));
        Assert.Empty(Ids(moved, "bought"));
        Assert.Equal([ticket], Ids(moved, "received"));
        Assert.Equal(friend.Address, moved.GetProperty("ticket").GetProperty("owner").GetString());
        Assert.NotNull(moved.GetProperty("ticket").GetProperty("transferredAt").GetString());
        Assert.Contains("transfer", moved.GetProperty("transactions").EnumerateArray().Select(t => t.GetProperty("transactionType").GetString()));

        // The check-in: no longer among the unused tickets.
        await host.Webhooks.SendAllAsync(await ledger.CheckInAsync(organizer, purchase.TokenId));
        await watcher.WaitForAsync("event-updated", p => p.GetRawText().Contains("ticketUsed", StringComparison.Ordinal));
        var used = await host.QueryAsync(Queries, variables(ticket, "Before"));
        Assert.Empty(Ids(used.GetProperty("unused"), "tickets"));
        Assert.True(used.GetProperty("ticket").GetProperty("isUsed").GetBoolean());

        // The rename: the event, the list by title and the tickets filtered by their event's title follow it.
        await host.QueryAsync(Queries, variables(ticket, "After"));
        var rename = await ledger.UpdateEventAsync(organizer, created.EventId, "After", "", NightStart, NightStart.AddHours(1), 2 * Usdc);
        await host.Webhooks.SendAllAsync(rename.Deliveries);
        await watcher.WaitForAsync("event-updated", p => p.GetRawText().Contains("\"title\"", StringComparison.Ordinal));
        var renamed = await host.QueryAsync(Queries, variables(ticket, "After"));
        Assert.Equal("After", renamed.GetProperty("event").GetProperty("title").GetString());
        Assert.Equal([id], Ids(renamed, "events"));
        Assert.Equal([ticket], Ids(renamed, "byTitle"));
        Assert.Empty(Ids(await host.QueryAsync(Queries, variables(ticket, "Before")), "byTitle"));
    }

    private static List<string?> Ids(System.Text.Json.JsonElement parent, string field) =>
        [.. parent.GetProperty(field).EnumerateArray().Select(e => e.GetProperty("id").GetString())];
}
