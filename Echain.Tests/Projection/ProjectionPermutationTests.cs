using System.Collections.Concurrent;
using System.Text.Json;
using Echain.Core.Chain;
using Echain.Core.Projection;
using Echain.Tests.Infrastructure;
using Npgsql;
using static Echain.Tests.Infrastructure.TestChain;

namespace Echain.Tests.Projection;

/// <summary>The projection rule: the final state after any permutation of the same deliveries is identical.</summary>
public sealed class ProjectionPermutationTests
{
    private const string Dave = "0xdddddddddddddddddddddddddddddddddddddddd";
    private static readonly string[] Addresses = [Creator, Alice, Bob, Carol, Dave];

    /// <summary>Two events, purchases with their mints, resales, a used ticket, a rename, USDC payments.</summary>
    private static readonly ChainEvent[] History =
    [
        EventCreated(100, 0, "1", title: "Concert", maxTickets: "3"),
        EventCreated(101, 4, "2", title: "Talk", maxTickets: "50", price: "1000"),
        EventUpdated(105, 1, "1", title: "Concert (moved)", start: Start + 3600, end: End + 3600),
        EventUpdated(104, 0, "1", title: "Concert (superseded)"),
        UsdcTransfer(99, 0, Zero, Alice, "20000000"),
        UsdcTransfer(99, 1, Zero, Bob, "20000000"),
        TicketTransfer(110, 0, Zero, Alice, "1"),
        Purchase(110, 1, "1", "1", Alice, type: "VIP"),
        UsdcTransfer(110, 2, Alice, Creator, "5000000"),
        TicketTransfer(111, 0, Zero, Bob, "2"),
        Purchase(111, 1, "1", "2", Bob),
        UsdcTransfer(111, 2, Bob, Creator, "5000000"),
        TicketTransfer(112, 0, Zero, Carol, "3"),
        Purchase(112, 1, "2", "3", Carol, price: "1000"),
        TicketTransfer(120, 3, Alice, Dave, "1"),
        UsdcTransfer(120, 4, Dave, Alice, "7000000"),
        TicketTransfer(125, 0, Dave, Bob, "1"),
        TicketUsed(130, 0, "2"),
        TicketTransfer(131, 0, Zero, Dave, "4"),
        Purchase(131, 1, "1", "4", Dave),
    ];

    [Fact]
    public async Task Every_permutation_with_duplicates_reaches_the_same_state()
    {
        var server = await PostgresServer.GetAsync();
        var inOrder = await ApplyAsync(server, History.OrderBy(l => l.BlockNumber).ThenBy(l => l.LogIndex).ToList());

        foreach (var seed in new[] { 1, 7, 42, 2024 })
        {
            var random = new Random(seed);
            var deliveries = History.Concat(History).ToArray();
            random.Shuffle(deliveries);
            Assert.Equal(inOrder, await ApplyAsync(server, deliveries));
        }

        // Two instances consuming the same shuffled, duplicated stream at once (row locks, not luck).
        var concurrent = History.Concat(History).ToArray();
        new Random(99).Shuffle(concurrent);
        Assert.Equal(inOrder, await ApplyAsync(server, concurrent, workers: 3));

        // The snapshot says something: spot-check the state it captured.
        using var state = JsonDocument.Parse(inOrder);
        var root = state.RootElement;
        Assert.Equal("Concert (moved)", root.GetProperty("events").GetProperty("1").GetProperty("title").GetString());
        Assert.Equal(3, root.GetProperty("events").GetProperty("1").GetProperty("ticketsSold").GetInt64());
        Assert.Equal("0", root.GetProperty("events").GetProperty("1").GetProperty("available").GetString());
        var bobTickets = root.GetProperty("users").GetProperty(Bob).GetProperty("tickets").EnumerateArray()
            .Select(t => t.GetProperty("tokenId").GetString()!).ToArray();
        Assert.Equal(["1", "2"], bobTickets);
        var activity = root.GetProperty("activity").GetProperty("event1").EnumerateArray()
            .Select(a => $"{a.GetProperty("kind").GetString()} #{a.GetProperty("tokenId").GetString()}").ToArray();
        Assert.Equal(
            ["purchase #4", "mint #4", "check-in #2", "transfer #1", "transfer #1", "purchase #2", "mint #2", "purchase #1", "mint #1"],
            activity);
        Assert.Equal(["purchase #3", "mint #3"], root.GetProperty("activity").GetProperty("event2").EnumerateArray()
            .Select(a => $"{a.GetProperty("kind").GetString()} #{a.GetProperty("tokenId").GetString()}"));
    }

    [Fact]
    public async Task Batches_of_any_size_reach_the_same_state_as_one_log_at_a_time()
    {
        var server = await PostgresServer.GetAsync();
        var inOrder = await ApplyAsync(server, History.OrderBy(l => l.BlockNumber).ThenBy(l => l.LogIndex).ToList());

        // The consumer's lanes hand the projector several logs per transaction: any cut of any order must not matter.
        foreach (var (seed, maxBatch) in new[] { (3, 4), (11, 9), (23, 40) })
        {
            var deliveries = History.Concat(History).ToArray();
            new Random(seed).Shuffle(deliveries);
            Assert.Equal(inOrder, await ApplyAsync(server, deliveries, maxBatch: maxBatch, cutSeed: seed));
        }
        // Batches of several instances at once: they contend for the same rows and streams.
        var concurrent = History.Concat(History).ToArray();
        new Random(5).Shuffle(concurrent);
        Assert.Equal(inOrder, await ApplyAsync(server, concurrent, workers: 3, maxBatch: 6, cutSeed: 5));
    }

    /// <summary>
    /// Applies the deliveries to a fresh database, one at a time or in batches of 1 to <paramref name="maxBatch"/> consecutive
    /// deliveries (cut where a key would repeat, as the processor cuts them); returns every read of the repository, serialized.
    /// </summary>
    private static async Task<string> ApplyAsync(PostgresServer server, IReadOnlyList<ChainEvent> deliveries, int workers = 1,
        int maxBatch = 1, int cutSeed = 0)
    {
        await using var database = await server.CreateDatabaseAsync();
        var projector = Projector(database.DataSource);
        var applied = new ConcurrentDictionary<LogKey, int>();
        var batches = Cut(deliveries, maxBatch, new Random(cutSeed));
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < batches.Count; i = Interlocked.Increment(ref next))
            {
                var outcomes = await ApplyWithRedeliveryAsync(projector, batches[i]);
                Assert.Equal(batches[i].Select(l => l.Key), outcomes.Select(o => o.Key));
                foreach (var outcome in outcomes)
                {
                    if (outcome.Status == ProjectionStatus.Applied)
                        applied.AddOrUpdate(outcome.Key, 1, (_, count) => count + 1);
                    else
                        Assert.Equal(ProjectionStatus.AlreadyApplied, outcome.Status);
                }
            }
        })));
        Assert.Equal(History.Length, applied.Count);
        Assert.All(applied.Values, count => Assert.Equal(1, count));
        return await SnapshotAsync(database.DataSource);
    }

    private static List<ChainEvent[]> Cut(IReadOnlyList<ChainEvent> deliveries, int maxBatch, Random random)
    {
        var batches = new List<ChainEvent[]>();
        var current = new List<ChainEvent>();
        var size = random.Next(1, maxBatch + 1);
        foreach (var log in deliveries)
        {
            if (current.Count == size || current.Any(l => l.Key == log.Key))
            {
                batches.Add([.. current]);
                current.Clear();
                size = random.Next(1, maxBatch + 1);
            }
            current.Add(log);
        }
        if (current.Count > 0) batches.Add([.. current]);
        return batches;
    }

    /// <summary>A transient database error (deadlock, serialization) is what the queue redelivers: the whole batch again.</summary>
    private static async Task<ProjectionOutcome[]> ApplyWithRedeliveryAsync(TicketProjector projector, ChainEvent[] batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return batch is [var log] ? [await projector.ApplyAsync(log, default)] : await projector.ApplyBatchAsync(batch, default);
            }
            catch (PostgresException e) when (e.IsTransient && attempt < 10)
            {
            }
        }
    }

    private static async Task<string> SnapshotAsync(NpgsqlDataSource dataSource)
    {
        var reads = TestChain.Reads(dataSource);
        var events = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var id in new[] { "1", "2", "3" })
            events[id] = await reads.GetEventAsync(id);

        var users = new SortedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var address in Addresses)
        {
            users[address] = new
            {
                tickets = (await reads.GetUserTicketsAsync(address)).Items,
                balances = (await reads.GetUserBalancesAsync(address)).Items,
                transactions = await ProjectionState.AllPagesAsync(cursor => reads.GetUserTransactionsAsync(address, cursor, 2)),
            };
        }

        return JsonSerializer.Serialize(new
        {
            events,
            list = await ProjectionState.AllPagesAsync(cursor => reads.ListEventsAsync(cursor, 1)),
            tickets = new
            {
                event1 = await ProjectionState.AllPagesAsync(cursor => reads.GetEventTicketsAsync("1", cursor, 2)),
                event2 = await ProjectionState.AllPagesAsync(cursor => reads.GetEventTicketsAsync("2", cursor, 2)),
            },
            // Ticket logs that arrive before their purchase are linked to the event when it arrives.
            activity = new
            {
                event1 = await ProjectionState.AllPagesAsync(cursor => reads.GetEventActivityAsync("1", cursor, 2)),
                event2 = await ProjectionState.AllPagesAsync(cursor => reads.GetEventActivityAsync("2", cursor, 2)),
            },
            users,
        }, new JsonSerializerOptions(JsonSerializerDefaults.Web));
    }
}
