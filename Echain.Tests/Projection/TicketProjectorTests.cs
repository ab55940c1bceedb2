using System.Numerics;
using Echain.Core.Chain;
using Echain.Core.Projection;
using Echain.Core.Reads;
using Echain.Tests.Infrastructure;
using static Echain.Tests.Infrastructure.TestChain;

namespace Echain.Tests.Projection;

public sealed class TicketProjectorTests : PostgresTest
{
    private TicketProjector Projector => TestChain.Projector(DataSource);
    private TicketReadRepository Reads => TestChain.Reads(DataSource);

    private static void AssertResources(ProjectionOutcome outcome, params string[] expected) =>
        Assert.Equal(expected.Order(StringComparer.Ordinal).ToArray(), outcome.CacheResources.Order(StringComparer.Ordinal).ToArray());

    private static void AssertMessages(ProjectionOutcome outcome, params string[] expected) =>
        Assert.Equal(expected, Render(outcome.Messages));

    [Fact]
    public async Task EventCreated_inserts_the_event_and_announces_every_field()
    {
        var outcome = await Projector.ApplyAsync(EventCreated(10, 0, "1"), default);

        Assert.Equal(ProjectionStatus.Applied, outcome.Status);
        AssertResources(outcome, "tickets", "transactions", "event:1", "events", "event-analytics:1", "event-tickets:1", "event-activity:1");
        AssertMessages(outcome,
            $$$"""event-updated group:event-1 {"eventId":"1","updates":{"creator":"{{{Creator}}}","description":"Live","endTime":"{{{Iso(End)}}}","maxTickets":"100","startTime":"{{{Iso(Start)}}}","ticketPrice":"5000000","title":"Concert"}}""");
        Assert.Equal(
            new EventView("1", Creator, "Concert", "Live", DateTimeOffset.FromUnixTimeSeconds(Start), DateTimeOffset.FromUnixTimeSeconds(End),
                "100", "5000000", 0, "100"),
            await Reads.GetEventAsync("1"));
    }

    [Fact]
    public async Task EventUpdated_announces_only_the_fields_it_changed()
    {
        await Projector.ApplyAsync(EventCreated(10, 0, "1"), default);
        var outcome = await Projector.ApplyAsync(EventUpdated(12, 0, "1", title: "Concert II", price: "6000000"), default);

        AssertResources(outcome, "tickets", "transactions", "event:1", "events", "event-analytics:1");
        AssertMessages(outcome, """event-updated group:event-1 {"eventId":"1","updates":{"ticketPrice":"6000000","title":"Concert II"}}""");
        var view = await Reads.GetEventAsync("1");
        Assert.Equal(("Concert II", "6000000"), (view!.Title, view.TicketPrice));
    }

    [Fact]
    public async Task EventUpdated_with_the_same_details_announces_nothing_but_invalidates_the_event_whose_updatedAt_moved()
    {
        await Projector.ApplyAsync(EventCreated(10, 0, "1"), default);
        var same = await Projector.ApplyAsync(EventUpdated(12, 0, "1"), default);

        Assert.Equal(ProjectionStatus.Applied, same.Status);
        AssertResources(same, "tickets", "transactions", "event:1", "events", "event-analytics:1");
        AssertMessages(same);
    }

    [Fact]
    public async Task EventUpdated_before_EventCreated_keeps_the_newer_fields()
    {
        var updated = await Projector.ApplyAsync(EventUpdated(12, 0, "1", title: "Renamed"), default);
        Assert.Equal(ProjectionStatus.Applied, updated.Status);
        AssertResources(updated); // nothing readable yet: the event is not created
        AssertMessages(updated,
            $$$"""event-updated group:event-1 {"eventId":"1","updates":{"description":"Live","endTime":"{{{Iso(End)}}}","startTime":"{{{Iso(Start)}}}","ticketPrice":"5000000","title":"Renamed"}}""");
        Assert.Null(await Reads.GetEventAsync("1"));

        var created = await Projector.ApplyAsync(EventCreated(10, 0, "1", title: "Original"), default);
        AssertResources(created, "tickets", "transactions", "event:1", "events", "event-analytics:1", "event-tickets:1", "event-activity:1");
        AssertMessages(created, $$$"""event-updated group:event-1 {"eventId":"1","updates":{"creator":"{{{Creator}}}","maxTickets":"100"}}""");
        Assert.Equal("Renamed", (await Reads.GetEventAsync("1"))!.Title);

        // An older update arriving last changes nothing.
        var stale = await Projector.ApplyAsync(EventUpdated(11, 0, "1", title: "Stale"), default);
        Assert.Equal(ProjectionStatus.Applied, stale.Status);
        AssertResources(stale);
        AssertMessages(stale);
        Assert.Equal("Renamed", (await Reads.GetEventAsync("1"))!.Title);
    }

    [Fact]
    public async Task TicketPurchased_links_the_ticket_and_notifies_the_buyer()
    {
        await Projector.ApplyAsync(EventCreated(10, 0, "1"), default);
        var outcome = await Projector.ApplyAsync(Purchase(20, 1, "1", "5", Alice, type: "VIP"), default);

        AssertResources(outcome, "tickets", "transactions", "ticket:5", "event:1", "event-tickets:1", "event-activity:1", "event-analytics:1", "events", $"user-tickets:{Alice}", $"user-analytics:{Alice}");
        AssertMessages(outcome,
            $$"""ticket-purchased group:event-1 {"buyer":"{{Alice}}","eventId":"1","ticketId":"5"}""",
            $$"""notification user:{{Alice}} {"message":"You bought ticket #5 for event #1.","type":"ticket-purchased","userId":"{{Alice}}"}""");

        var view = await Reads.GetEventAsync("1");
        Assert.Equal((1L, "99"), (view!.TicketsSold, view.Available));
        var ticket = Assert.Single((await Reads.GetUserTicketsAsync(Alice)).Items);
        Assert.Equal(new UserTicketView("5", "1", Alice, "VIP", "5000000", false,
            new EventSummary("1", "Concert", DateTimeOffset.FromUnixTimeSeconds(Start), DateTimeOffset.FromUnixTimeSeconds(End)), false), ticket);
    }

    [Fact]
    public async Task Mint_and_resale_move_the_owner_and_notify_both_sides()
    {
        await Projector.ApplyAsync(EventCreated(10, 0, "1"), default);
        await Projector.ApplyAsync(Purchase(20, 1, "1", "5", Alice), default);

        var mint = await Projector.ApplyAsync(TicketTransfer(20, 0, Zero, Alice, "5"), default);
        AssertResources(mint, "tickets", "transactions", "ticket:5", "event:1", "event-tickets:1", "event-activity:1", "event-analytics:1", $"user-tickets:{Alice}", $"user-analytics:{Alice}", $"user-transactions:{Alice}");
        AssertMessages(mint,
            $$"""ticket-transferred group:event-1 {"eventId":"1","from":"{{Zero}}","ticketId":"5","to":"{{Alice}}"}""",
            $$"""notification user:{{Alice}} {"message":"Ticket #5 was minted to you.","type":"ticket-transferred","userId":"{{Alice}}"}""");

        var resale = await Projector.ApplyAsync(TicketTransfer(30, 0, Alice, Bob, "5"), default);
        AssertResources(resale, "tickets", "transactions", "ticket:5", "event:1", "event-tickets:1", "event-activity:1", "event-analytics:1",
            $"user-tickets:{Alice}", $"user-analytics:{Alice}", $"user-tickets:{Bob}", $"user-analytics:{Bob}",
            $"user-transactions:{Alice}", $"user-transactions:{Bob}");
        AssertMessages(resale,
            $$"""ticket-transferred group:event-1 {"eventId":"1","from":"{{Alice}}","ticketId":"5","to":"{{Bob}}"}""",
            $$"""notification user:{{Alice}} {"message":"Ticket #5 was transferred to {{Bob}}.","type":"ticket-transferred","userId":"{{Alice}}"}""",
            $$"""notification user:{{Bob}} {"message":"You received ticket #5 from {{Alice}}.","type":"ticket-transferred","userId":"{{Bob}}"}""");

        Assert.Empty((await Reads.GetUserTicketsAsync(Alice)).Items);
        Assert.Equal(Bob, Assert.Single((await Reads.GetUserTicketsAsync(Bob)).Items).Owner);
        Assert.Equal(1, (await Reads.GetEventAsync("1"))!.TicketsSold); // a resale is not a sale
        var history = (await Reads.GetUserTransactionsAsync(Alice, null, 10)).Items;
        Assert.Equal(["ticket-transfer", "ticket-mint"], history.Select(t => t.Kind));
        Assert.All(history, t => Assert.Equal("1", t.EventId));
    }

    [Fact]
    public async Task Transfer_before_TicketPurchased_is_kept_and_linked_when_the_purchase_arrives()
    {
        var mint = await Projector.ApplyAsync(TicketTransfer(20, 0, Zero, Alice, "7"), default);
        AssertResources(mint, "tickets", "transactions", "ticket:7", $"user-tickets:{Alice}", $"user-analytics:{Alice}", $"user-transactions:{Alice}");
        AssertMessages(mint,
            $$"""notification user:{{Alice}} {"message":"Ticket #7 was minted to you.","type":"ticket-transferred","userId":"{{Alice}}"}""");
        Assert.Null(Assert.Single((await Reads.GetUserTransactionsAsync(Alice, null, 10)).Items).EventId);
        Assert.Null(Assert.Single((await Reads.GetUserTicketsAsync(Alice)).Items).EventId);

        await Projector.ApplyAsync(EventCreated(10, 0, "1"), default);
        var purchase = await Projector.ApplyAsync(Purchase(20, 1, "1", "7", Alice), default);
        AssertResources(purchase, "tickets", "transactions", "ticket:7", "event:1", "event-tickets:1", "event-activity:1", "event-analytics:1", "events",
            $"user-tickets:{Alice}", $"user-analytics:{Alice}", $"user-transactions:{Alice}");

        Assert.Equal("1", Assert.Single((await Reads.GetUserTransactionsAsync(Alice, null, 10)).Items).EventId);
        var ticket = Assert.Single((await Reads.GetEventTicketsAsync("1", null, 10)).Items);
        Assert.Equal(new TicketView("7", "1", Alice, "GA", "5000000", false, false), ticket);
    }

    [Fact]
    public async Task Owner_follows_the_greatest_block_and_log_whatever_the_arrival_order()
    {
        await Projector.ApplyAsync(TicketTransfer(12, 5, Bob, Carol, "9"), default);
        await Projector.ApplyAsync(TicketTransfer(10, 0, Zero, Alice, "9"), default);
        var late = await Projector.ApplyAsync(TicketTransfer(12, 3, Alice, Bob, "9"), default);

        Assert.Equal(Carol, Assert.Single((await Reads.GetUserTicketsAsync(Carol)).Items).Owner);
        Assert.Empty((await Reads.GetUserTicketsAsync(Bob)).Items);
        Assert.Empty((await Reads.GetUserTicketsAsync(Alice)).Items);
        // The older transfer still touches both parties' lists and the current holder's.
        AssertResources(late, "tickets", "transactions", "ticket:9", $"user-tickets:{Alice}", $"user-analytics:{Alice}", $"user-tickets:{Bob}", $"user-analytics:{Bob}",
            $"user-tickets:{Carol}", $"user-analytics:{Carol}",
            $"user-transactions:{Alice}", $"user-transactions:{Bob}");

        // Buying after all that does not take the ticket back from the newest transfer's `to`.
        await Projector.ApplyAsync(Purchase(10, 1, "1", "9", Alice), default);
        Assert.Equal(Carol, Assert.Single((await Reads.GetUserTicketsAsync(Carol)).Items).Owner);
    }

    [Fact]
    public async Task TicketUsed_marks_the_ticket_and_updates_its_event()
    {
        await Projector.ApplyAsync(EventCreated(10, 0, "1"), default);
        await Projector.ApplyAsync(Purchase(20, 1, "1", "5", Alice), default);

        var used = await Projector.ApplyAsync(TicketUsed(40, 0, "5"), default);
        AssertResources(used, "tickets", "transactions", "ticket:5", "event:1", "event-tickets:1", "event-activity:1", "event-analytics:1", $"user-tickets:{Alice}", $"user-analytics:{Alice}");
        AssertMessages(used, """event-updated group:event-1 {"eventId":"1","updates":{"ticketUsed":"5"}}""");
        Assert.True(Assert.Single((await Reads.GetEventTicketsAsync("1", null, 10)).Items).IsUsed);

        // Used before anything else is known about the token: kept, nothing to say yet but the token's own entry.
        var early = await Projector.ApplyAsync(TicketUsed(41, 0, "6"), default);
        AssertResources(early, "tickets", "transactions", "ticket:6");
        AssertMessages(early);
        await Projector.ApplyAsync(Purchase(21, 0, "1", "6", Bob), default);
        Assert.True(Assert.Single((await Reads.GetUserTicketsAsync(Bob)).Items).IsUsed);
    }

    [Fact]
    public async Task Erc20_transfers_move_balances_and_announce_them()
    {
        var mint = await Projector.ApplyAsync(UsdcTransfer(40, 0, Zero, Alice, "1000"), default);
        AssertResources(mint, $"user-balances:{Alice}", $"user-transactions:{Alice}");
        AssertMessages(mint, $$"""balance-updated user:{{Alice}} {"balance":"1000","token":"{{Usdc}}","userId":"{{Alice}}"}""");

        var payment = await Projector.ApplyAsync(UsdcTransfer(41, 2, Alice, Bob, "300"), default);
        AssertResources(payment, $"user-balances:{Alice}", $"user-balances:{Bob}", $"user-transactions:{Alice}", $"user-transactions:{Bob}");
        AssertMessages(payment,
            $$"""balance-updated user:{{Alice}} {"balance":"700","token":"{{Usdc}}","userId":"{{Alice}}"}""",
            $$"""balance-updated user:{{Bob}} {"balance":"300","token":"{{Usdc}}","userId":"{{Bob}}"}""");

        var burn = await Projector.ApplyAsync(UsdcTransfer(42, 0, Bob, Zero, "100"), default);
        AssertResources(burn, $"user-balances:{Bob}", $"user-transactions:{Bob}");

        Assert.Equal([new BalanceView(Usdc, "700", false)], (await Reads.GetUserBalancesAsync(Alice)).Items);
        Assert.Equal([new BalanceView(Usdc, "200", false)], (await Reads.GetUserBalancesAsync(Bob)).Items);
        var history = (await Reads.GetUserTransactionsAsync(Bob, null, 10)).Items;
        Assert.Equal(["token-burn", "token-transfer"], history.Select(t => t.Kind));
        Assert.Equal(("100", null, null), (history[0].Value, history[0].TokenId, history[0].EventId));
    }

    [Fact]
    public async Task Logs_from_unconfigured_contracts_and_unknown_events_are_ignored_and_not_stored()
    {
        var foreign = await Projector.ApplyAsync(Log(Unconfigured, "Transfer", 1, 0, ("from", Zero), ("to", Alice), ("value", "1")), default);
        var approval = await Projector.ApplyAsync(Log(Tickets, "Approval", 1, 1, ("owner", Alice), ("approved", Bob), ("tokenId", "1")), default);
        var usdcApproval = await Projector.ApplyAsync(Log(Usdc, "Approval", 1, 2, ("owner", Alice), ("spender", Bob), ("value", "1")), default);

        Assert.All(new[] { foreign, approval, usdcApproval }, o =>
        {
            Assert.Equal(ProjectionStatus.Ignored, o.Status);
            Assert.Empty(o.CacheResources);
            Assert.Empty(o.Messages);
        });
        Assert.Equal("unconfigured-contract", foreign.Reason);
        Assert.Equal("unknown-event", approval.Reason);
        Assert.Equal(0, await CountAsync(DataSource, "applied_logs"));
        Assert.Equal(0, await CountAsync(DataSource, "transfers"));
    }

    [Fact]
    public async Task Malformed_parameters_are_poison_and_store_nothing()
    {
        await Assert.ThrowsAsync<InvalidChainEventException>(() =>
            Projector.ApplyAsync(Log(Tickets, "TicketPurchased", 1, 0, ("eventId", "1"), ("tokenId", "5"), ("buyer", Alice), ("price", "1")), default));
        await Assert.ThrowsAsync<InvalidChainEventException>(() => Projector.ApplyAsync(TicketTransfer(1, 1, Zero, Alice, "five"), default));
        await Assert.ThrowsAsync<InvalidChainEventException>(() => Projector.ApplyAsync(TicketTransfer(1, 2, Zero, "0x123", "5"), default));
        await Assert.ThrowsAsync<InvalidChainEventException>(() => Projector.ApplyAsync(UsdcTransfer(1, 3, Zero, Alice, "-1"), default));
        await Assert.ThrowsAsync<InvalidChainEventException>(() => Projector.ApplyAsync(EventCreated(1, 4, "1", start: -5), default));
        Assert.Equal(0, await CountAsync(DataSource, "applied_logs"));
        Assert.Equal(0, await CountAsync(DataSource, "tickets"));
    }

    [Fact]
    public async Task A_delivered_log_applied_again_changes_nothing_and_emits_nothing()
    {
        await Projector.ApplyAsync(EventCreated(10, 0, "1"), default);
        var purchase = Purchase(20, 1, "1", "5", Alice);
        var payment = UsdcTransfer(20, 2, Alice, Creator, "5000000");
        foreach (var log in new[] { purchase, payment })
        {
            var first = await Projector.ApplyAsync(log, default);
            await Projector.MarkDeliveredAsync(log.Key, default);
            var again = await Projector.ApplyAsync(log, default);

            Assert.Equal(ProjectionStatus.AlreadyApplied, again.Status);
            Assert.Empty(again.Messages);
            Assert.Equal(first.CacheResources, again.CacheResources); // re-invalidating is harmless
        }

        Assert.Equal(1, (await Reads.GetEventAsync("1"))!.TicketsSold);
        Assert.Equal([new BalanceView(Usdc, "5000000", false)], (await Reads.GetUserBalancesAsync(Creator)).Items);
        // -5000000: Alice's funding transfer was never seen, and a read never shows less than nothing.
        Assert.Equal([new BalanceView(Usdc, "0", false)], (await Reads.GetUserBalancesAsync(Alice)).Items);
        Assert.Equal(3, await CountAsync(DataSource, "applied_logs"));
    }

    [Fact]
    public async Task Undelivered_messages_are_returned_again_until_marked_delivered()
    {
        await Projector.ApplyAsync(EventCreated(10, 0, "1"), default);
        var log = TicketTransfer(30, 0, Alice, Bob, "5");
        await Projector.ApplyAsync(Purchase(20, 1, "1", "5", Alice), default);

        var first = await Projector.ApplyAsync(log, default);
        Assert.Equal(3, first.Messages.Count);

        // Crash between commit and emit: the redelivery owes the same messages.
        var redelivered = await Projector.ApplyAsync(log, default);
        Assert.Equal(ProjectionStatus.AlreadyApplied, redelivered.Status);
        Assert.Equal(Render(first.Messages), Render(redelivered.Messages));
        Assert.Equal(first.CacheResources, redelivered.CacheResources);

        await Projector.MarkDeliveredAsync(log.Key, default);
        var afterDelivery = await Projector.ApplyAsync(log, default);
        Assert.Equal(ProjectionStatus.AlreadyApplied, afterDelivery.Status);
        Assert.Empty(afterDelivery.Messages);
        Assert.Equal(Bob, Assert.Single((await Reads.GetUserTicketsAsync(Bob)).Items).Owner);
    }

    [Fact]
    public async Task Concurrent_duplicates_apply_exactly_once()
    {
        var log = UsdcTransfer(40, 0, Zero, Alice, "1000");
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => Projector.ApplyAsync(log, default))));

        Assert.Single(outcomes, o => o.Status == ProjectionStatus.Applied);
        Assert.Equal([new BalanceView(Usdc, "1000", false)], (await Reads.GetUserBalancesAsync(Alice)).Items);
    }

    [Fact]
    public async Task Uint256_values_above_2_pow_64_round_trip()
    {
        var eventId = ((BigInteger.One << 200) + 1).ToString();
        var tokenId = (BigInteger.One << 255).ToString();
        var price = Uint256.Max.ToString();
        var value = ((BigInteger.One << 70) + 3).ToString();

        await Projector.ApplyAsync(EventCreated(10, 0, eventId, maxTickets: price, price: price), default);
        await Projector.ApplyAsync(Purchase(20, 1, eventId, tokenId, Alice, price: price), default);
        await Projector.ApplyAsync(TicketTransfer(20, 0, Zero, Alice, tokenId), default);
        var payment = await Projector.ApplyAsync(UsdcTransfer(21, 0, Zero, Alice, value), default);

        var view = await Reads.GetEventAsync(eventId);
        Assert.Equal((eventId, price, price, (Uint256.Max - 1).ToString()), (view!.EventId, view.MaxTickets, view.TicketPrice, view.Available));
        Assert.Equal(new TicketView(tokenId, eventId, Alice, "GA", price, false, false), Assert.Single((await Reads.GetEventTicketsAsync(eventId, null, 10)).Items));
        Assert.Equal(eventId, Assert.Single((await Reads.GetUserTicketsAsync(Alice)).Items).Event!.EventId);
        Assert.Equal([new BalanceView(Usdc, value, false)], (await Reads.GetUserBalancesAsync(Alice)).Items);
        Assert.Contains($"\"balance\":\"{value}\"", Render(Assert.Single(payment.Messages)));
        var mint = (await Reads.GetUserTransactionsAsync(Alice, null, 10)).Items.Single(t => t.Kind == "ticket-mint");
        Assert.Equal((tokenId, eventId), (mint.TokenId, mint.EventId));
        Assert.Contains(CacheResources.Event(eventId), (await Projector.ApplyAsync(TicketUsed(30, 0, tokenId), default)).CacheResources);
    }
}
