using System.Numerics;
using Echain.Core.Subgraph;
using Echain.Tests.Infrastructure;
using static Echain.Tests.Infrastructure.TestChain;

namespace Echain.Tests.Subgraph;

/// <summary>
/// The Graph's filter suffixes, nested filters, and/or, ordering and paging, each against the ids a reader works out
/// from the scenario by hand; invalid arguments are query errors naming the argument.
/// </summary>
public sealed class SubgraphFilterTests(RedisServer redis) : PostgresTest, IClassFixture<RedisServer>
{
    // Events 1..4 (block = id): titles, start times S+100·id, prices 10·id; event 2's creator is Alice.
    // Tickets 11, 12 (event 1), 21 (event 2), 31, 32 (event 3); 12 moved from Bob to Carol at block 50, 31 used at block 60.
    private async Task<SubgraphHarness> SeededAsync()
    {
        var h = new SubgraphHarness(DataSource, redis);
        string[] titles = ["Rock Night", "rock_50%", "Jazz", "Blues"];
        for (var id = 1; id <= 4; id++)
            await h.ApplyAsync(EventCreated(id, 0, N(id), title: titles[id - 1], start: Start + 100 * id, price: N(10 * id),
                creator: id == 2 ? Alice : Creator));
        await h.ApplyAsync(
            Purchase(11, 0, "1", "11", Alice, price: "10", type: "VIP"), Purchase(12, 0, "1", "12", Bob, price: "10"),
            Purchase(21, 0, "2", "21", Alice, price: "20"), Purchase(31, 0, "3", "31", Carol, price: "30", type: "VIP"),
            Purchase(32, 0, "3", "32", Alice, price: "30", type: "Balcony"),
            TicketTransfer(50, 0, Bob, Carol, "12"), TicketUsed(60, 0, "31"));
        return h;
    }

    private static SubgraphCollection Q(Dictionary<string, object?>? where = null, string? orderBy = null,
        OrderDirection direction = OrderDirection.Asc, int first = 100, int skip = 0) => new(where, orderBy, direction, first, skip);

    private static Dictionary<string, object?> W(string key, object? value) => new() { [key] = value };

    private static string TxId(long block, int log) => $"0x{block:x32}{log:x32}-{log}";

    [Fact]
    public async Task Event_filters_of_every_suffix_family()
    {
        await using var h = await SeededAsync();
        async Task<string[]> Events(SubgraphCollection q) => [.. (await h.Reads.EventsAsync(q, default)).Select(e => e.Id)];
        var s = Start;

        Assert.Equal(["3"], await Events(Q(W("title", "Jazz"))));
        Assert.Equal(["1", "2", "4"], await Events(Q(W("title_not", "Jazz"))));
        Assert.Equal(["3", "4"], await Events(Q(W("startTime_gt", new BigInteger(s + 200)))));
        Assert.Equal(["2", "3", "4"], await Events(Q(W("startTime_gte", new BigInteger(s + 200)))));
        Assert.Equal(["1"], await Events(Q(W("startTime_lt", new BigInteger(s + 200)))));
        Assert.Equal(["1", "2"], await Events(Q(W("startTime_lte", new BigInteger(s + 200)))));
        Assert.Equal(["1", "4"], await Events(Q(W("ticketPrice_in", new List<object> { new BigInteger(10), new BigInteger(40) }))));
        Assert.Equal(["2", "3"], await Events(Q(W("ticketPrice_not_in", new[] { new BigInteger(10), new BigInteger(40) }))));
        Assert.Equal(["3", "4"], await Events(Q(W("id_gt", "2"))));
        Assert.Equal(["1", "3"], await Events(Q(W("id_in", new[] { "1", "3" }))));

        // Substrings: LIKE with its wildcards taken literally ("k_" would match "k " of "Rock Night" as a pattern).
        Assert.Equal(["1", "2"], await Events(Q(W("title_contains", "ock"))));
        Assert.Equal(["2"], await Events(Q(W("title_contains", "k_"))));
        Assert.Equal(["2"], await Events(Q(W("title_ends_with", "%"))));
        Assert.Equal(["1", "2"], await Events(Q(W("title_contains_nocase", "ROCK"))));
        Assert.Equal(["3", "4"], await Events(Q(W("title_not_contains", "ock"))));
        Assert.Equal(["3", "4"], await Events(Q(W("title_not_contains_nocase", "ROCK"))));
        Assert.Equal(["1"], await Events(Q(W("title_starts_with", "Ro"))));
        Assert.Equal(["1", "2"], await Events(Q(W("title_starts_with_nocase", "ro"))));
        Assert.Equal(["1", "2", "4"], await Events(Q(W("title_not_starts_with", "J"))));
        Assert.Equal(["2", "3", "4"], await Events(Q(W("title_not_starts_with_nocase", "rock n"))));
        Assert.Equal(["1"], await Events(Q(W("title_ends_with_nocase", "NIGHT"))));
        Assert.Equal(["1", "2", "3"], await Events(Q(W("title_not_ends_with", "s"))));
        Assert.Equal(["2", "3", "4"], await Events(Q(W("title_not_ends_with_nocase", "T"))));

        // Bytes: equality on the whole value, substrings on its hex digits.
        Assert.Equal(["2"], await Events(Q(W("creator", Alice))));
        Assert.Equal(["2"], await Events(Q(W("creator_contains", "0xaaaa"))));
        Assert.Equal(["1", "3", "4"], await Events(Q(W("creator_not_contains", "0xaaaa"))));
        Assert.Equal(["2"], await Events(Q(W("creator_in", new[] { Alice, Bob }))));

        // and / or, also next to plain keys.
        Assert.Equal(["2", "3"], await Events(Q(W("and", new[] { W("startTime_gt", new BigInteger(s + 100)), W("startTime_lt", new BigInteger(s + 400)) }))));
        Assert.Equal(["1", "3"], await Events(Q(W("or", new[] { W("title", "Jazz"), W("ticketPrice", new BigInteger(10)) }))));
        Assert.Equal(["1"], await Events(Q(new() { ["title_contains_nocase"] = "o", ["or"] = new[] { W("id", "1"), W("id", "4") } })));
        Assert.Empty(await Events(Q(W("or", Array.Empty<Dictionary<string, object?>>()))));
    }

    [Fact]
    public async Task Events_order_by_any_field_in_both_directions_and_page()
    {
        await using var h = await SeededAsync();
        async Task<string[]> Events(SubgraphCollection q) => [.. (await h.Reads.EventsAsync(q, default)).Select(e => e.Id)];

        // Bytewise: capitals before lowercase.
        Assert.Equal(["4", "3", "1", "2"], await Events(Q(orderBy: "title")));
        Assert.Equal(["2", "1", "3", "4"], await Events(Q(orderBy: "title", direction: OrderDirection.Desc)));
        Assert.Equal(["4", "3", "2", "1"], await Events(Q(orderBy: "ticketPrice", direction: OrderDirection.Desc)));
        Assert.Equal(["4", "3", "2", "1"], await Events(Q(direction: OrderDirection.Desc)));
        // Equal creators (1, 3, 4 share one) keep id order.
        Assert.Equal(["2", "1", "3", "4"], await Events(Q(orderBy: "creator")));
        Assert.Equal(["2", "3"], await Events(Q(first: 2, skip: 1)));
        Assert.Empty(await Events(Q(first: 0)));
        Assert.Empty(await Events(Q(skip: 4)));
    }

    [Fact]
    public async Task Ticket_filters_nested_event_filters_and_ordering_by_the_event()
    {
        await using var h = await SeededAsync();
        async Task<string[]> Tickets(SubgraphCollection q) => [.. (await h.Reads.TicketsAsync(q, default)).Select(t => t.Id)];

        Assert.Equal(["11", "12"], await Tickets(Q(W("event", "1"))));
        Assert.Equal(["21", "31", "32"], await Tickets(Q(W("event_not", "1"))));
        Assert.Equal(["21", "31", "32"], await Tickets(Q(W("event_in", new[] { "2", "3" }))));
        Assert.Equal(["31", "32"], await Tickets(Q(W("event_gt", "2"))));
        Assert.Equal(["12", "31"], await Tickets(Q(W("owner", Carol))));
        Assert.Equal(["31"], await Tickets(Q(W("isUsed", true))));
        Assert.Equal(["11", "12", "21", "32"], await Tickets(Q(W("isUsed_not", true))));
        Assert.Equal(["31"], await Tickets(Q(W("isUsed_in", new[] { true }))));
        Assert.Equal(["11", "31", "32"], await Tickets(Q(W("ticketType_in", new[] { "VIP", "Balcony" }))));
        Assert.Equal(["12", "21"], await Tickets(Q(W("ticketType_not_in", new[] { "VIP", "Balcony" }))));
        Assert.Equal(["31", "32"], await Tickets(Q(W("price_gte", new BigInteger(30)))));
        Assert.Equal(["11", "12"], await Tickets(Q(W("tokenId_lte", new BigInteger(12)))));
        // Null on the nullable transferredAt: is null / is not null.
        Assert.Equal(["11", "21", "31", "32"], await Tickets(Q(W("transferredAt", null))));
        Assert.Equal(["12"], await Tickets(Q(W("transferredAt_not", null))));
        Assert.Equal(["12"], await Tickets(Q(W("transferredAt_gt", new BigInteger(0)))));

        Assert.Equal(["11", "12"], await Tickets(Q(W("event_", W("title_starts_with", "Rock")))));
        Assert.Equal(["21"], await Tickets(Q(W("event_", new Dictionary<string, object?>
            { ["startTime_gte"] = new BigInteger(Start + 200), ["title_not"] = "Jazz" }))));
        Assert.Equal(["32"], await Tickets(Q(new() { ["owner"] = Alice, ["event_"] = W("or", new[] { W("id", "3"), W("title", "x") }) })));

        Assert.Equal(["31", "32", "11", "12", "21"], await Tickets(Q(orderBy: "event__title")));
        Assert.Equal(["21", "12", "11", "32", "31"], await Tickets(Q(orderBy: "event__title", direction: OrderDirection.Desc)));
        Assert.Equal(["32", "31", "21", "12", "11"], await Tickets(Q(orderBy: "event__startTime", direction: OrderDirection.Desc)));
        Assert.Equal(["11", "21", "32", "12", "31"], await Tickets(Q(orderBy: "owner")));
        Assert.Equal(["21", "31"], await Tickets(Q(first: 2, skip: 2)));
        Assert.Equal(["12", "11"], await Tickets(Q(W("event_", W("id", "1")), orderBy: "event__title", direction: OrderDirection.Desc)));

        // The same arguments per event.
        var perEvent = await h.Reads.TicketsOfEventsAsync(["1", "3"], Q(W("owner_not", Carol), orderBy: "price"), default);
        Assert.Equal(["11"], perEvent["1"].Select(t => t.Id));
        Assert.Equal(["32"], perEvent["3"].Select(t => t.Id));
    }

    [Fact]
    public async Task Transaction_filters_by_id_reference_and_nested_ticket()
    {
        await using var h = await SeededAsync();
        async Task<string[]> Types(SubgraphCollection q) => [.. (await h.Reads.TransactionsAsync(q, default)).Select(t => $"{t.TicketId}:{t.TransactionType}")];

        Assert.Equal(["11:purchase", "12:purchase", "21:purchase", "31:purchase", "32:purchase", "12:transfer", "31:check-in"], await Types(Q()));
        Assert.Equal(["31:check-in"], await Types(Q(new() { ["event"] = "3", ["transactionType"] = "check-in" })));
        Assert.Equal(["12:purchase", "12:transfer"], await Types(Q(W("ticket", "12"))));
        Assert.Equal(["12:purchase", "31:purchase", "12:transfer", "31:check-in"], await Types(Q(W("ticket_", W("owner", Carol)))));
        Assert.Equal(["31:purchase", "32:purchase", "31:check-in"], await Types(Q(W("event_", W("title", "Jazz")))));
        Assert.Equal(["11:purchase", "21:purchase", "32:purchase"], await Types(Q(W("from", Alice))));
        Assert.Equal(["12:transfer"], await Types(Q(W("to_not", Tickets))));
        Assert.Equal(["12:transfer", "31:check-in"], await Types(Q(W("value", new BigInteger(0)))));
        Assert.Equal(["12:transfer", "31:check-in"], await Types(Q(W("transactionType_in", new[] { "transfer", "check-in" }))));
        Assert.Equal(["12:transfer"], await Types(Q(W("id", TxId(50, 0)))));
        Assert.Equal(["12:transfer", "31:check-in"], await Types(Q(W("id_gt", TxId(32, 0)))));
        Assert.Equal(["11:purchase", "31:check-in"], await Types(Q(W("id_in", new[] { TxId(60, 0), TxId(11, 0) }))));
        Assert.Equal(["31:check-in", "12:transfer"], await Types(Q(orderBy: "timestamp", direction: OrderDirection.Desc, first: 2)));
        Assert.Equal(["11:purchase", "12:purchase", "12:transfer"], await Types(Q(W("event", "1"), orderBy: "ticket__tokenId")));
    }

    [Fact]
    public async Task Invalid_arguments_are_query_errors_naming_the_argument()
    {
        await using var h = await SeededAsync();
        async Task Rejects(string named, Func<Task> read) =>
            Assert.Contains(named, (await Assert.ThrowsAsync<SubgraphQueryException>(read)).Message);

        await Rejects("`first`", () => h.Reads.EventsAsync(Q(first: 1001), default));
        await Rejects("The `first` argument must be between 0 and 1000, but is -1", () => h.Reads.TicketsAsync(Q(first: -1), default));
        await Rejects("`skip`", () => h.Reads.TransactionsAsync(Q(skip: 5001), default));
        await Rejects("`skip`", () => h.Reads.TicketsOfEventsAsync(["1"], Q(skip: -1), default));
        await Rejects("`nope`", () => h.Reads.EventsAsync(Q(orderBy: "nope"), default));
        await Rejects("`foo`", () => h.Reads.EventsAsync(Q(W("foo", "1")), default));
        await Rejects("`title`", () => h.Reads.EventsAsync(Q(W("title", null)), default));
        await Rejects("`id`", () => h.Reads.EventsAsync(Q(W("id", "abc")), default));
        await Rejects("`id_in`", () => h.Reads.EventsAsync(Q(W("id_in", new[] { "1", "0x2" })), default));
        await Rejects("`event`", () => h.Reads.TicketsAsync(Q(W("event", "one")), default));
        await Rejects("`creator`", () => h.Reads.EventsAsync(Q(W("creator", "0xzz")), default));
        await Rejects("`startTime_gt`", () => h.Reads.EventsAsync(Q(W("startTime_gt", "soon")), default));
        await Rejects("`title_in`", () => h.Reads.EventsAsync(Q(W("title_in", "Jazz")), default));
        await Rejects("`id`", () => h.Reads.TransactionsAsync(Q(W("id", "0x12-1")), default));
        await Rejects("`event_`", () => h.Reads.TicketsAsync(Q(W("event_", "1")), default));
        await Rejects("`where.and`", () => h.Reads.EventsAsync(Q(W("and", "x")), default));
        await Rejects("`isUsed`", () => h.Reads.TicketsAsync(Q(W("isUsed", "yes")), default));
        await Rejects("`title`", () => h.Reads.TicketsAsync(Q(W("event_", W("title", null))), default));
    }
}
