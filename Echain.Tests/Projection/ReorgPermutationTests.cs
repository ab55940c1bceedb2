using Echain.Core.Chain;
using Echain.Core.Projection;
using Echain.Tests.Infrastructure;
using static Echain.Tests.Infrastructure.TestChain;

namespace Echain.Tests.Projection;

/// <summary>
/// The projection rule with reorgs: canonical logs, logs of a dead fork and their removals, and logs a reorg moved
/// (the webhook's old copy, its removal, the node's new copy), delivered in any order with duplicates, end as if
/// only the canonical logs had ever been applied.
/// </summary>
public sealed class ReorgPermutationTests
{
    private static readonly ChainEvent[] Canonical =
    [
        UsdcTransfer(99, 0, Zero, Alice, "20000000"),
        UsdcTransfer(99, 1, Zero, Bob, "20000000"),
        EventCreated(100, 0, "1", maxTickets: "3"),
        EventCreated(101, 4, "2", title: "Talk"),
        EventUpdated(105, 1, "1", title: "Concert (moved)"),
        TicketTransfer(110, 0, Zero, Alice, "1"),
        Purchase(110, 1, "1", "1", Alice, type: "VIP"),
        UsdcTransfer(110, 2, Alice, Creator, "5000000"),
        TicketTransfer(111, 0, Zero, Bob, "2"),
        Purchase(111, 1, "1", "2", Bob),
        TicketUsed(130, 0, "2"),
    ];

    /// <summary>Applied from a fork that lost, then removed: the chain never had them.</summary>
    private static readonly ChainEvent[] Dropped =
    [
        EventUpdated(106, 0, "1", title: "Concert (forked)"),
        TicketTransfer(120, 3, Alice, Carol, "1"),
        UsdcTransfer(120, 4, Carol, Alice, "7000000"),
        TicketTransfer(131, 0, Zero, Carol, "4"),
        Purchase(131, 1, "2", "4", Carol),
        TicketUsed(132, 0, "1"),
        EventCreated(140, 0, "3", title: "Never"),
    ];

    /// <summary>(the webhook's copy, the node's canonical copy of the same key): another block, or other contents.</summary>
    private static readonly (ChainEvent Old, ChainEvent New)[] Moved =
    [
        Move(TicketTransfer(126, 0, Bob, Carol, "2"), 136),
        Move(UsdcTransfer(127, 0, Bob, Carol, "1000000"), 137),
        Move(EventUpdated(128, 0, "2", title: "Talk (late)"), 138),
        (Purchase(150, 1, "2", "5", Alice), Purchase(150, 1, "2", "5", Bob, type: "VIP") with { BlockHash = "0xb150", Origin = ChainEventOrigin.Reorg }),
    ];

    private static (ChainEvent, ChainEvent) Move(ChainEvent old, long block) =>
        (old, old with { BlockNumber = block, BlockHash = $"0xb{block}", Origin = ChainEventOrigin.Reorg });

    private static ChainEvent Removal(ChainEvent applied, string? hash) =>
        applied with { Removed = true, Parameters = new Dictionary<string, string>(), BlockHash = hash, Origin = ChainEventOrigin.Reorg };

    [Fact]
    public async Task Any_order_of_logs_removals_and_replacements_with_duplicates_ends_as_the_canonical_logs_alone()
    {
        var canonical = Canonical.Concat(Moved.Select(m => m.New)).OrderBy(l => l.BlockNumber).ThenBy(l => l.LogIndex).ToList();
        var expected = await ProjectionState.OfAsync(canonical);

        var deliveries = Canonical
            .Concat(Dropped).Concat(Dropped.Select(d => Removal(d, null)))
            .Concat(Moved.SelectMany(m => new[] { m.Old, m.New, Removal(m.Old, $"0xdead{m.Old.BlockNumber}") }))
            .ToArray();
        foreach (var seed in new[] { 1, 7, 42, 2024, 31337 })
        {
            var random = new Random(seed);
            var order = deliveries.Concat(deliveries).ToArray();
            random.Shuffle(order);
            KeepDroppedLogsBeforeTheirRemovals(order);

            await using var database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
            var projector = Projector(database.DataSource);
            var rolledBack = 0;
            foreach (var log in order)
            {
                var outcome = await projector.ApplyAsync(log, default);
                Assert.Contains(outcome.Status, new[] { ProjectionStatus.Applied, ProjectionStatus.AlreadyApplied, ProjectionStatus.RolledBack });
                if (outcome.Status == ProjectionStatus.RolledBack) rolledBack++;
            }

            Assert.Equal(expected, await ProjectionState.SnapshotAsync(database.DataSource));
            Assert.Equal(Dropped.Length, rolledBack - RemovalsOfMovedCopiesThatRolledBack(order));
        }
    }

    [Fact]
    public async Task Three_workers_applying_moved_logs_their_removals_and_replacements_at_once_end_as_the_canonical_logs()
    {
        var expected = await ProjectionState.OfAsync(
            Canonical.Concat(Moved.Select(m => m.New)).OrderBy(l => l.BlockNumber).ThenBy(l => l.LogIndex));
        var deliveries = Canonical.Concat(Moved.SelectMany(m => new[] { m.Old, m.New, Removal(m.Old, $"0xdead{m.Old.BlockNumber}") })).ToArray();
        var order = deliveries.Concat(deliveries).Concat(deliveries).ToArray();
        new Random(99).Shuffle(order);

        await using var database = await (await PostgresServer.GetAsync()).CreateDatabaseAsync();
        var projector = Projector(database.DataSource);
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < order.Length; i = Interlocked.Increment(ref next))
                await ApplyWithRedeliveryAsync(projector, order[i]);
        })));

        Assert.Equal(expected, await ProjectionState.SnapshotAsync(database.DataSource));
    }

    /// <summary>A deadlock or serialization failure is what the queue redelivers.</summary>
    private static async Task ApplyWithRedeliveryAsync(TicketProjector projector, ChainEvent log)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await projector.ApplyAsync(log, default);
                return;
            }
            catch (Npgsql.PostgresException e) when (e.IsTransient && attempt < 10)
            {
            }
        }
    }

    /// <summary>
    /// The reconciler removes only what it saw applied, so every delivery of a dropped log precedes its removals
    /// (a webhook delivering the dead copy again after its removal applies it again: see ReorgRollbackTests).
    /// Moved logs need no such help: a webhook copy never replaces the node's, and a removal names its copy's hash.
    /// </summary>
    private static void KeepDroppedLogsBeforeTheirRemovals(ChainEvent[] order)
    {
        foreach (var dropped in Dropped)
        {
            var positions = Enumerable.Range(0, order.Length).Where(i => order[i].Key == dropped.Key).ToArray();
            var logsFirst = positions.Select(i => order[i]).OrderBy(l => l.Removed).ToArray();
            for (var i = 0; i < positions.Length; i++) order[positions[i]] = logsFirst[i];
        }
    }

    /// <summary>A moved log's removal rolls back only when it arrives while the webhook's old copy is the applied one.</summary>
    private static int RemovalsOfMovedCopiesThatRolledBack(ChainEvent[] order)
    {
        var count = 0;
        foreach (var (old, replacement) in Moved)
        {
            var applied = (ChainEvent?)null;
            foreach (var log in order.Where(l => l.Key == old.Key))
            {
                if (log.Removed) { if (applied == old) { count++; applied = null; } }
                else if (log.BlockHash is not null) applied = replacement;
                else applied ??= old;
            }
        }

        return count;
    }
}
