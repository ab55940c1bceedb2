using Echain.Core.Chain;
using Echain.Core.Reads;
using Echain.Core.Subgraph;
using Echain.Tests.Infrastructure;
using static Echain.Tests.Infrastructure.TestChain;

namespace Echain.Tests.Subgraph;

/// <summary>
/// Every subgraph read is cached (a repeat runs no SQL) under a resource the projection invalidates on each change that
/// alters its answer: a change stays invisible while only projected, and shows once that one resource is invalidated.
/// </summary>
public sealed class SubgraphCacheTests(RedisServer redis) : PostgresTest, IClassFixture<RedisServer>
{
    private static SubgraphCollection Where(Dictionary<string, object?> where, string? orderBy = null) =>
        SubgraphCollection.Default with { Where = where, OrderBy = orderBy };

    private async Task<SubgraphHarness> SeededAsync()
    {
        var h = new SubgraphHarness(DataSource, redis);
        await h.ApplyAsync(EventCreated(10, 0, "1", title: "Concert"), EventCreated(11, 0, "2", title: "Play"),
            Purchase(20, 0, "1", "5", Alice), Purchase(21, 0, "2", "9", Carol));
        return h;
    }

    /// <summary>
    /// Loads <paramref name="read"/>, proves a repeat is a hit, projects <paramref name="change"/> (the outcome must name
    /// <paramref name="resource"/>), proves the cached answer still stands, then invalidates only that resource.
    /// </summary>
    private static async Task ShowsAfterInvalidatingAsync<T>(SubgraphHarness h, Func<Task<T>> read, ChainEvent change,
        string resource, Func<T, bool> showsChange)
    {
        Assert.False(showsChange(await read()));
        var (_, repeat) = await h.Statements.CountAsync(read);
        Assert.Equal(0, repeat);

        var outcome = await h.ProjectAsync(change);
        Assert.Contains(resource, outcome.CacheResources);
        var (stale, statements) = await h.Statements.CountAsync(read);
        Assert.Equal(0, statements);
        Assert.False(showsChange(stale));

        await h.Cache.InvalidateAsync([resource], default);
        Assert.True(showsChange(await read()));
    }

    [Fact]
    public async Task Event_pinned_tickets_live_under_the_events_tickets()
    {
        await using var h = await SeededAsync();
        await ShowsAfterInvalidatingAsync(h, () => h.Reads.TicketsAsync(Where(new() { ["event"] = "1" }), default),
            Purchase(30, 0, "1", "6", Bob), CacheResources.EventTickets("1"), t => t.Any(x => x.Id == "6"));
    }

    [Fact]
    public async Task Owner_pinned_tickets_live_under_the_holders_tickets()
    {
        await using var h = await SeededAsync();
        await ShowsAfterInvalidatingAsync(h, () => h.Reads.TicketsAsync(Where(new() { ["owner"] = Bob }), default),
            TicketTransfer(30, 0, Alice, Bob, "5"), CacheResources.UserTickets(Bob), t => t.Any(x => x.Id == "5"));
    }

    [Fact]
    public async Task Burned_tickets_pinned_to_the_zero_address_live_under_the_ticket_list()
    {
        await using var h = await SeededAsync();
        await ShowsAfterInvalidatingAsync(h, () => h.Reads.TicketsAsync(Where(new() { ["owner"] = Zero }), default),
            TicketTransfer(30, 0, Alice, Zero, "5"), CacheResources.TicketList, t => t.Any(x => x.Id == "5"));
    }

    [Fact]
    public async Task Unpinned_tickets_live_under_the_ticket_list()
    {
        await using var h = await SeededAsync();
        await ShowsAfterInvalidatingAsync(h, () => h.Reads.TicketsAsync(Where(new() { ["isUsed"] = true }), default),
            TicketUsed(30, 0, "9"), CacheResources.TicketList, t => t.Any(x => x.Id == "9"));
    }

    [Fact]
    public async Task Tickets_filtered_or_ordered_by_their_event_live_under_the_ticket_list_even_when_pinned()
    {
        await using var h = await SeededAsync();
        var nested = new Dictionary<string, object?> { ["event"] = "1", ["event_"] = new Dictionary<string, object?> { ["title"] = "Renamed" } };
        await ShowsAfterInvalidatingAsync(h, () => h.Reads.TicketsAsync(Where(nested), default),
            EventUpdated(30, 0, "1", title: "Renamed"), CacheResources.TicketList, t => t.Any(x => x.Id == "5"));

        // Ordered by the event's title ("Play" before "Renamed"): renaming event 2 after event 1 reorders them.
        await ShowsAfterInvalidatingAsync(h, () => h.Reads.TicketsAsync(Where(new() { ["owner_in"] = new[] { Alice, Carol } }, "event__title"), default),
            EventUpdated(31, 0, "2", title: "Zebra"), CacheResources.TicketList, t => t[0].Id == "5");
    }

    [Fact]
    public async Task Event_pinned_transactions_live_under_the_events_activity_and_the_others_under_the_transaction_list()
    {
        await using var h = await SeededAsync();
        await ShowsAfterInvalidatingAsync(h, () => h.Reads.TransactionsAsync(Where(new() { ["event"] = "1" }), default),
            TicketTransfer(30, 0, Alice, Bob, "5"), CacheResources.EventActivity("1"), t => t.Any(x => x.TransactionType == "transfer"));

        var nested = new Dictionary<string, object?> { ["event"] = "2", ["event_"] = new Dictionary<string, object?> { ["title_starts_with"] = "New" } };
        await ShowsAfterInvalidatingAsync(h, () => h.Reads.TransactionsAsync(Where(nested), default),
            EventUpdated(31, 0, "2", title: "New play"), CacheResources.TransactionList, t => t.Count == 1);

        await ShowsAfterInvalidatingAsync(h, () => h.Reads.TransactionsAsync(Where(new() { ["transactionType"] = "check-in" }), default),
            TicketUsed(32, 0, "9"), CacheResources.TransactionList, t => t.Count == 1);
    }

    [Fact]
    public async Task Tickets_and_transactions_bought_before_their_event_was_seen_appear_with_its_creation()
    {
        await using var h = await SeededAsync();
        await h.ApplyAsync(Purchase(30, 0, "3", "12", Bob));
        Assert.Empty(await h.Reads.TicketsByIdAsync(["12"], default));

        await ShowsAfterInvalidatingAsync(h, () => h.Reads.TicketsAsync(Where(new() { ["owner"] = Bob }), default),
            EventCreated(12, 0, "3"), CacheResources.UserTickets(Bob), t => t.Any(x => x.Id == "12"));
        await h.Cache.InvalidateAsync([CacheResources.Ticket("12")], default);
        Assert.Equal("3", (await h.Reads.TicketsByIdAsync(["12"], default))["12"].EventId);
    }

    [Fact]
    public async Task An_events_pinned_tickets_and_transactions_appear_with_its_creation()
    {
        await using var h = await SeededAsync();
        await h.ApplyAsync(Purchase(30, 0, "3", "12", Bob));
        var transactions = () => h.Reads.TransactionsAsync(Where(new() { ["event"] = "3" }), default);
        Assert.Empty(await transactions());

        await ShowsAfterInvalidatingAsync(h, () => h.Reads.TicketsAsync(Where(new() { ["event"] = "3" }), default),
            EventCreated(12, 0, "3"), CacheResources.EventTickets("3"), t => t.Any(x => x.Id == "12"));
        Assert.Empty(await transactions()); // still the cached answer: only the event's tickets were invalidated
        await h.Cache.InvalidateAsync([CacheResources.EventActivity("3")], default);
        Assert.Single(await transactions());
    }

    [Fact]
    public async Task Events_live_under_the_event_list_and_each_event_under_its_own_entry()
    {
        await using var h = await SeededAsync();
        await ShowsAfterInvalidatingAsync(h, () => h.Reads.EventsAsync(Where(new() { ["title_contains_nocase"] = "ENCORE" }), default),
            EventUpdated(30, 0, "2", title: "Play (encore)"), CacheResources.EventList, e => e.Count == 1);

        await ShowsAfterInvalidatingAsync(h, () => h.Reads.EventsByIdAsync(["1"], default),
            EventUpdated(31, 0, "1", title: "Concert II"), CacheResources.Event("1"), e => e["1"].Title == "Concert II");
    }

    [Fact]
    public async Task A_ticket_by_id_lives_under_the_ticket_and_an_events_tickets_under_the_events_tickets()
    {
        await using var h = await SeededAsync();
        await ShowsAfterInvalidatingAsync(h, () => h.Reads.TicketsByIdAsync(["5"], default),
            TicketTransfer(30, 0, Alice, Bob, "5"), CacheResources.Ticket("5"), t => t["5"].Owner == Bob && t["5"].TransferredAt is not null);

        await ShowsAfterInvalidatingAsync(h, () => h.Reads.TicketsOfEventsAsync(["1", "2"], Where(new() { ["isUsed"] = false }), default),
            TicketUsed(31, 0, "5"), CacheResources.EventTickets("1"), t => t["1"].Count == 0 && t["2"].Count == 1);
    }

    [Fact]
    public async Task A_transaction_by_id_is_cached_and_the_same_query_spelled_otherwise_shares_its_entry()
    {
        await using var h = await SeededAsync();
        var id = $"0x{20:x32}{0:x32}-0";
        Assert.Equal("purchase", (await h.Reads.TransactionsByIdAsync([id], default))[id].TransactionType);
        var (again, statements) = await h.Statements.CountAsync(() => h.Reads.TransactionsByIdAsync([id.ToUpperInvariant().Replace("0X", "0x")], default));
        Assert.Equal((1, 0), (again.Count, statements));

        // Keys in another order and an id spelled with leading zeros name the same entry.
        await h.Reads.EventsAsync(Where(new() { ["id_in"] = new[] { "1", "2" }, ["title_not"] = "x" }), default);
        var (events, repeat) = await h.Statements.CountAsync(() =>
            h.Reads.EventsAsync(Where(new() { ["title_not"] = "x", ["id_in"] = new[] { "001", "2" } }), default));
        Assert.Equal((2, 0), (events.Count, repeat));
    }
}
