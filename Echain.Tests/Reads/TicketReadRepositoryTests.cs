using Echain.Core.Projection;
using Echain.Core.Reads;
using Echain.Tests.Infrastructure;
using static Echain.Tests.Infrastructure.TestChain;

namespace Echain.Tests.Reads;

public sealed class TicketReadRepositoryTests : PostgresTest
{
    private TicketProjector Projector => TestChain.Projector(DataSource);
    private TicketReadRepository Reads => TestChain.Reads(DataSource);

    [Fact]
    public async Task Unknown_event_is_null_and_a_bad_id_is_an_argument_error()
    {
        Assert.Null(await Reads.GetEventAsync("42"));
        Assert.Equal("eventId", (await Assert.ThrowsAsync<InvalidReadArgumentException>(() => Reads.GetEventAsync("forty-two"))).Field);
        Assert.Equal("address", (await Assert.ThrowsAsync<InvalidReadArgumentException>(() => Reads.GetUserTicketsAsync("0x12"))).Field);
    }

    [Fact]
    public async Task Events_are_listed_newest_first_in_keyset_pages()
    {
        for (var id = 1; id <= 5; id++)
            await Projector.ApplyAsync(EventCreated(10 + id, 0, N(id)), default);
        await Projector.ApplyAsync(EventUpdated(30, 0, "6"), default); // not created: not listed

        var first = await Reads.ListEventsAsync(null, 2);
        Assert.Equal(["5", "4"], first.Items.Select(e => e.EventId));
        var second = await Reads.ListEventsAsync(first.NextCursor, 2);
        Assert.Equal(["3", "2"], second.Items.Select(e => e.EventId));
        var last = await Reads.ListEventsAsync(second.NextCursor, 2);
        Assert.Equal(["1"], last.Items.Select(e => e.EventId));
        Assert.Null(last.NextCursor);

        var all = await Reads.ListEventsAsync(null, 5);
        Assert.Equal(5, all.Items.Count);
        Assert.Null(all.NextCursor); // exactly full: no empty page after it
    }

    [Fact]
    public async Task Event_tickets_are_paged_by_token_id()
    {
        await Projector.ApplyAsync(EventCreated(10, 0, "1", maxTickets: "2"), default);
        foreach (var token in new[] { 12, 3, 7, 20 })
            await Projector.ApplyAsync(Purchase(20 + token, 0, "1", N(token), token % 2 == 0 ? Alice : Bob), default);
        await Projector.ApplyAsync(Purchase(50, 0, "2", "4", Alice), default); // another event's ticket

        var first = await Reads.GetEventTicketsAsync("1", null, 3);
        Assert.Equal(["3", "7", "12"], first.Items.Select(t => t.TokenId));
        Assert.NotNull(first.NextCursor);
        var second = await Reads.GetEventTicketsAsync("1", first.NextCursor, 3);
        Assert.Equal(["20"], second.Items.Select(t => t.TokenId));
        Assert.Null(second.NextCursor);

        var view = await Reads.GetEventAsync("1");
        Assert.Equal((4L, "0"), (view!.TicketsSold, view.Available)); // oversold on-chain data never shows a negative
        Assert.Empty((await Reads.GetEventTicketsAsync("99", null, 10)).Items);
    }

    [Fact]
    public async Task User_transactions_are_newest_first_in_keyset_pages()
    {
        await Projector.ApplyAsync(UsdcTransfer(10, 0, Zero, Alice, "100"), default);
        await Projector.ApplyAsync(UsdcTransfer(11, 5, Alice, Bob, "10"), default);
        await Projector.ApplyAsync(UsdcTransfer(11, 2, Bob, Alice, "1"), default);
        await Projector.ApplyAsync(TicketTransfer(12, 0, Zero, Alice, "1"), default);
        await Projector.ApplyAsync(UsdcTransfer(13, 0, Alice, Alice, "5"), default); // self-transfer: listed once
        await Projector.ApplyAsync(UsdcTransfer(14, 0, Bob, Carol, "1"), default);   // not Alice's

        var seen = new List<(long, int, string)>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Reads.GetUserTransactionsAsync(Alice, cursor, 2);
            seen.AddRange(page.Items.Select(t => (t.BlockNumber, t.LogIndex, t.Kind)));
            cursor = page.NextCursor;
            pages++;
        } while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(
            [(13L, 0, "token-transfer"), (12L, 0, "ticket-mint"), (11L, 5, "token-transfer"), (11L, 2, "token-transfer"), (10L, 0, "token-mint")],
            seen);
        Assert.Equal([new BalanceView(Usdc, "91", false)], (await Reads.GetUserBalancesAsync(Alice)).Items);
        var first = (await Reads.GetUserTransactionsAsync(Alice, null, 1)).Items[0];
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + 13 * 2), first.BlockTime);
    }

    [Fact]
    public async Task Invalid_cursors_and_limits_are_argument_errors()
    {
        await Projector.ApplyAsync(EventCreated(10, 0, "1"), default);
        await Projector.ApplyAsync(EventCreated(11, 0, "2"), default);
        var eventsCursor = (await Reads.ListEventsAsync(null, 1)).NextCursor;
        Assert.NotNull(eventsCursor);

        foreach (var bad in new[] { "%%%", "bm90LWEtY3Vyc29y", "", eventsCursor + "x" })
            Assert.Equal("cursor", (await Assert.ThrowsAsync<InvalidReadArgumentException>(() => Reads.ListEventsAsync(bad, 10))).Field);
        // A cursor from another listing is not accepted either.
        await Assert.ThrowsAsync<InvalidReadArgumentException>(() => Reads.GetEventTicketsAsync("1", eventsCursor, 10));
        await Assert.ThrowsAsync<InvalidReadArgumentException>(() => Reads.GetUserTransactionsAsync(Alice, eventsCursor, 10));
        Assert.Equal("limit", (await Assert.ThrowsAsync<InvalidReadArgumentException>(() => Reads.ListEventsAsync(null, 0))).Field);
        await Assert.ThrowsAsync<InvalidReadArgumentException>(() => Reads.GetEventTicketsAsync("1", null, 201));
    }

    [Fact]
    public async Task User_tickets_show_the_event_summary_only_once_the_event_is_created()
    {
        await Projector.ApplyAsync(Purchase(20, 0, "1", "1", Alice), default);
        Assert.Null(Assert.Single((await Reads.GetUserTicketsAsync(Alice)).Items).Event);

        await Projector.ApplyAsync(EventCreated(10, 0, "1", title: "Gig"), default);
        Assert.Equal("Gig", Assert.Single((await Reads.GetUserTicketsAsync(Alice.ToUpperInvariant().Replace("0X", "0x"))).Items).Event!.Title);
    }
}
