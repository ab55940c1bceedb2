using Echain.Core.Chain;
using Echain.Core.Processing;
using Echain.Core.Projection;
using Echain.Core.Queue;
using Echain.Core.Reads;
using Echain.Core.Realtime;
using Echain.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using static Echain.Tests.Infrastructure.TestChain;

namespace Echain.Tests.Processing;

/// <summary>A lane's logs processed together over real PostgreSQL and Redis: one transaction, and every rule of one log at a time.</summary>
public sealed class ProcessorBatchTests(RedisServer redis) : PostgresTest, IClassFixture<RedisServer>
{
    [Fact]
    public async Task A_lanes_logs_commit_together_and_each_gets_its_outcome_its_messages_and_its_delivered_mark()
    {
        var (processor, publisher, _) = Create();
        await processor.ProcessAsync(EventCreated(100, 0, "1"), publisher, default);

        var lane = new[] { Purchase(200, 0, "1", "1", Alice), Purchase(201, 0, "1", "2", Bob), Log(Unconfigured, "Transfer", 202, 0), Purchase(203, 0, "1", "3", Carol) };
        var before = publisher.Messages.Count;
        var results = await processor.ProcessBatchAsync(Queued(lane), publisher, default);

        Assert.Equal([ProjectionStatus.Applied, ProjectionStatus.Applied, ProjectionStatus.Ignored, ProjectionStatus.Applied],
            results.Select(r => r.OutcomeOrThrow().Status));
        // One transaction: now() is its start, the same for every row it inserted.
        Assert.Equal(1, await ScalarAsync("SELECT count(DISTINCT applied_at) FROM applied_logs WHERE block_number >= 200"));
        Assert.Equal(0, await ScalarAsync("SELECT count(*) FROM applied_logs WHERE delivered_at IS NULL"));
        // The group's messages in the lane's order, with consecutive seqs after the creation's.
        var purchases = publisher.Messages.Where(m => m.Target == RealtimeTargets.TicketPurchased).ToArray();
        Assert.All(purchases, m => Assert.Equal(RealtimeTargets.EventGroup("1"), m.GroupName));
        Assert.Equal(["1", "2", "3"], purchases.Select(m => m.Payload["ticketId"]?.ToString()));
        var first = purchases[0].Seq!.Value;
        Assert.Equal([first, first + 1, first + 2], purchases.Select(m => m.Seq!.Value));
        // Each purchase: the group's message and the buyer's notification, published once.
        Assert.Equal([2, 2, 0, 2], results.Select(r => r.Outcome!.Messages.Count));
        var published = publisher.Messages.Count;
        Assert.Equal(6, published - before);

        // The same lane again (a redelivery): nothing new applied, nothing owed, nothing emitted.
        var again = await processor.ProcessBatchAsync(Queued(lane), publisher, default);
        Assert.Equal([ProjectionStatus.AlreadyApplied, ProjectionStatus.AlreadyApplied, ProjectionStatus.Ignored, ProjectionStatus.AlreadyApplied],
            again.Select(r => r.OutcomeOrThrow().Status));
        Assert.Equal(published, publisher.Messages.Count);
    }

    [Fact]
    public async Task A_poison_log_fails_alone_and_the_rest_of_its_lane_is_applied()
    {
        var (processor, publisher, logs) = Create();
        await processor.ProcessAsync(EventCreated(100, 0, "1"), publisher, default);
        var poison = Purchase(301, 0, "1", "2", Bob) with { Parameters = new Dictionary<string, string> { ["eventId"] = "1", ["tokenId"] = "2" } };

        var results = await processor.ProcessBatchAsync(Queued([Purchase(300, 0, "1", "1", Alice), poison, Purchase(302, 0, "1", "3", Carol)]),
            publisher, default);

        Assert.Equal(ProjectionStatus.Applied, results[0].OutcomeOrThrow().Status);
        var failure = Assert.IsType<InvalidChainEventException>(results[1].Failure);
        Assert.Equal(FailureKind.Deterministic, FailurePolicy.Classify(failure));
        Assert.Equal(ProjectionStatus.Applied, results[2].OutcomeOrThrow().Status);
        Assert.Equal(["1", "3"], (await TestChain.Reads(DataSource).GetUserTicketsAsync(Alice)).Items.Concat((await TestChain.Reads(DataSource).GetUserTicketsAsync(Carol)).Items)
            .Select(t => t.TokenId));
        Assert.Empty((await TestChain.Reads(DataSource).GetUserTicketsAsync(Bob)).Items);
        Assert.Contains(logs.Lines, l => l.Contains("batch of 3 logs failed (InvalidChainEventException); applying them one by one", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_removal_and_a_repeated_key_cut_the_lane_and_keep_its_order()
    {
        var (processor, publisher, _) = Create();
        var mint = UsdcTransfer(400, 0, Zero, Alice, "100");
        var pay = UsdcTransfer(401, 0, Alice, Bob, "40");
        var removal = pay with { Removed = true, Parameters = new Dictionary<string, string>(), BlockHash = null };

        // Applied, then undone, then the same copy again: three batches, in this order, or the balances would differ.
        var results = await processor.ProcessBatchAsync(Queued([mint, pay, removal, pay, mint]), publisher, default);

        Assert.Equal([ProjectionStatus.Applied, ProjectionStatus.Applied, ProjectionStatus.RolledBack, ProjectionStatus.Applied, ProjectionStatus.AlreadyApplied],
            results.Select(r => r.OutcomeOrThrow().Status));
        Assert.Equal("60", Assert.Single((await TestChain.Reads(DataSource).GetUserBalancesAsync(Alice)).Items).Balance);
        Assert.Equal("40", Assert.Single((await TestChain.Reads(DataSource).GetUserBalancesAsync(Bob)).Items).Balance);
        Assert.Equal([$"{Alice}=100", $"{Alice}=60", $"{Bob}=40", $"{Alice}=100", $"{Bob}=0", $"{Alice}=60", $"{Bob}=40"],
            publisher.Messages.Where(m => m.Target == RealtimeTargets.BalanceUpdated).Select(m => $"{m.UserId}={m.Payload["balance"]}"));
    }

    private (ChainEventProcessor Processor, RecordingPublisher Publisher, LogCapture Logs) Create()
    {
        var logs = new LogCapture();
        var connection = redis.Connect();
        var cache = new RedisReadCache(connection, new RedisCacheOptions { KeyPrefix = $"b{Guid.NewGuid():N}:" });
        var processor = new ChainEventProcessor(Projector(DataSource), cache, LoggerFactory.Create(b => b.AddProvider(logs)).CreateLogger<ChainEventProcessor>());
        return (processor, new RecordingPublisher(), logs);
    }

    private static QueuedLog[] Queued(IEnumerable<ChainEvent> logs) => logs.Select(l => new QueuedLog(l, QueuedTrace.None)).ToArray();

    private async Task<long> ScalarAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
