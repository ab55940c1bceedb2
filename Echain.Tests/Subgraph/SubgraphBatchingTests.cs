using Echain.Core.Subgraph;
using Echain.Tests.Infrastructure;
using static Echain.Tests.Infrastructure.TestChain;

namespace Echain.Tests.Subgraph;

/// <summary>A level of a query (N events' tickets, N tickets' events) costs one statement cold, none warm.</summary>
public sealed class SubgraphBatchingTests(RedisServer redis) : PostgresTest, IClassFixture<RedisServer>
{
    private const int Events = 6;

    private async Task<SubgraphHarness> SeededAsync()
    {
        var h = new SubgraphHarness(DataSource, redis);
        for (var e = 1; e <= Events; e++)
        {
            await h.ApplyAsync(EventCreated(e, 0, N(e), title: $"Event {e}"));
            // Event e has e tickets: tokens 100e+1 .. 100e+e.
            for (var t = 1; t <= e; t++)
                await h.ApplyAsync(Purchase(100 * e + t, 0, N(e), N(100 * e + t), t % 2 == 0 ? Alice : Bob));
        }
        return h;
    }

    private static string[] EventIds => [.. Enumerable.Range(1, Events).Select(e => N(e))];

    [Fact]
    public async Task The_tickets_of_many_events_are_one_statement_cold_and_none_warm_with_first_and_skip_per_event()
    {
        await using var h = await SeededAsync();
        var query = SubgraphCollection.Default with { First = 2, Skip = 1, Direction = OrderDirection.Desc };

        var (cold, statements) = await h.Statements.CountAsync(() => h.Reads.TicketsOfEventsAsync([.. EventIds, "77", "bad"], query, default));
        Assert.Equal(1, statements);
        // Per event: newest token first, skipping one, at most two.
        foreach (var e in Enumerable.Range(1, Events))
        {
            var expected = Enumerable.Range(1, e).Select(t => 100 * e + t).OrderDescending().Skip(1).Take(2).Select(t => N(t));
            Assert.Equal(expected, cold[N(e)].Select(t => t.Id));
            Assert.All(cold[N(e)], t => Assert.Equal(N(e), t.EventId));
        }
        Assert.Empty(cold["77"]); // no such event: an empty list, cached too
        Assert.Empty(cold["bad"]); // malformed: empty, without a query

        var (warm, none) = await h.Statements.CountAsync(() => h.Reads.TicketsOfEventsAsync([.. EventIds, "77"], query, default));
        Assert.Equal(0, none);
        Assert.All(warm, p => Assert.Equal(cold[p.Key], p.Value));

        // Half warm: only the misses are loaded, still in one statement.
        var other = query with { Where = new Dictionary<string, object?> { ["owner"] = Alice } };
        await h.Reads.TicketsOfEventsAsync(["1", "2", "3"], other, default);
        var (half, once) = await h.Statements.CountAsync(() => h.Reads.TicketsOfEventsAsync(EventIds, other, default));
        Assert.Equal(1, once);
        Assert.Equal(["604", "602"], half["6"].Select(t => t.Id)); // Alice's 606, 604, 602 newest first, one skipped
        Assert.Equal(["402"], half["4"].Select(t => t.Id));
    }

    [Fact]
    public async Task The_events_of_many_tickets_and_the_tickets_by_id_are_one_statement_each()
    {
        await using var h = await SeededAsync();
        var tickets = await h.Reads.TicketsAsync(SubgraphCollection.Default, default);
        Assert.Equal(Enumerable.Range(1, Events).Sum(), tickets.Count);

        var (events, statements) = await h.Statements.CountAsync(() => h.Reads.EventsByIdAsync([.. tickets.Select(t => t.EventId)], default));
        Assert.Equal(1, statements);
        Assert.Equal(EventIds, events.Keys.Order(StringComparer.Ordinal));
        Assert.All(events, e => Assert.Equal($"Event {e.Key}", e.Value.Title));
        var (_, warm) = await h.Statements.CountAsync(() => h.Reads.EventsByIdAsync(EventIds, default));
        Assert.Equal(0, warm);

        var ids = tickets.Select(t => t.Id).ToArray();
        var (byId, once) = await h.Statements.CountAsync(() => h.Reads.TicketsByIdAsync([.. ids, "1"], default));
        Assert.Equal((1, ids.Length), (once, byId.Count));
        Assert.Equal(tickets, ids.Select(id => byId[id]));
        var (_, none) = await h.Statements.CountAsync(() => h.Reads.TicketsByIdAsync(ids, default));
        Assert.Equal(0, none);
    }

    [Fact]
    public async Task Concurrent_levels_sharing_keys_all_answer_without_waiting_on_each_other()
    {
        await using var h = await SeededAsync();
        // Overlapping keys in opposite orders, many times over on a cold cache: a batch waiting for a key another
        // batch loads must not wait for that batch in turn.
        for (var round = 0; round < 20; round++)
        {
            var query = SubgraphCollection.Default with { First = 1 + round };
            var forward = h.Reads.TicketsOfEventsAsync(EventIds, query, default);
            var backward = h.Reads.TicketsOfEventsAsync([.. EventIds.Reverse()], query, default);
            var some = h.Reads.TicketsOfEventsAsync(["2", "4"], query, default);
            var results = await Task.WhenAll(forward, backward, some).WaitAsync(TimeSpan.FromSeconds(20));
            foreach (var result in results)
                foreach (var (id, list) in result)
                    Assert.Equal(Math.Min(int.Parse(id), 1 + round), list.Count);
        }
    }

    [Fact]
    public async Task With_Redis_down_the_misses_are_still_one_statement()
    {
        await using var h = await SeededAsync();
        redis.Stop();
        try
        {
            var (events, statements) = await h.Statements.CountAsync(() => h.Reads.EventsByIdAsync(EventIds, default));
            Assert.Equal((1, Events), (statements, events.Count));
        }
        finally
        {
            redis.Start();
        }
    }
}
