using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Numerics;
using System.Text;
using Echain.Core;
using Echain.Core.Chain;
using Echain.Core.Processing;
using Echain.Core.Projection;
using Echain.Core.Reads;
using Echain.Core.Realtime;
using Echain.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Echain.Tests.Processing;

/// <summary>The processor over real PostgreSQL and Redis: order of effects and behaviour under contention.</summary>
public sealed class ChainEventProcessorTests(RedisServer redis) : PostgresTest, IClassFixture<RedisServer>
{
    [Fact]
    public async Task Heavy_contention_on_the_same_balances_applies_every_transfer_exactly_once()
    {
        using var connection = redis.Connect();
        var cache = new RedisReadCache(connection, new RedisCacheOptions { KeyPrefix = $"p{Guid.NewGuid():N}:" });
        var processor = new ChainEventProcessor(TestChain.Projector(DataSource), cache, NullLogger<ChainEventProcessor>.Instance);
        var publisher = new RecordingPublisher();
        string[] wallets = [TestChain.Alice, TestChain.Bob, TestChain.Carol];

        // 300 USDC transfers back and forth between three wallets, applied 8 at a time: the balance rows
        // are contended from every direction at once, as under a burst of webhooks.
        var random = new Random(7);
        var transfers = Enumerable.Range(0, 300).Select(i =>
        {
            var from = wallets[random.Next(3)];
            var to = wallets.First(w => w != from);
            return TestChain.UsdcTransfer(100 + i, 0, from, to, (1 + random.Next(50)).ToString());
        }).ToArray();
        await Parallel.ForEachAsync(transfers.Concat(transfers), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (e, ct) => await processor.ProcessAsync(e, publisher, ct));

        var repository = TestChain.Reads(DataSource);
        foreach (var wallet in wallets)
        {
            var expected = transfers.Aggregate(BigInteger.Zero, (sum, t) =>
                sum + (t.Parameter("to") == wallet ? 1 : 0) * BigInteger.Parse(t.Parameter("value"))
                    - (t.Parameter("from") == wallet ? 1 : 0) * BigInteger.Parse(t.Parameter("value")));
            var balance = Assert.Single((await repository.GetUserBalancesAsync(wallet)).Items);
            // A read never shows less than 0 (the wallets' funding is unseen); the stored sum is exact.
            Assert.Equal(BigInteger.Max(expected, BigInteger.Zero).ToString(), balance.Balance);
            await using var command = DataSource.CreateCommand("SELECT balance FROM balances WHERE holder = $1");
            command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = wallet });
            Assert.Equal(expected, (BigInteger)(decimal)(await command.ExecuteScalarAsync())!);
        }
        // Two balance-updated messages per applied transfer, none new for the duplicate deliveries: a duplicate that races
        // the first delivery's MarkDelivered may publish its stored copy again, with the same seq, which clients drop.
        var balanceMessages = publisher.Messages.Where(m => m.Target == RealtimeTargets.BalanceUpdated).ToArray();
        foreach (var copies in balanceMessages.GroupBy(m => (m.Stream, m.Seq)))
            Assert.All(copies, m => Assert.Equal(TestChain.Render(copies.First()), TestChain.Render(m)));
        Assert.Equal(transfers.Length * 2, balanceMessages.DistinctBy(m => (m.Stream, m.Seq)).Count());
    }

    [Fact]
    public async Task A_removal_is_processed_like_an_application_and_counted_with_the_reconciler_logs()
    {
        using var connection = redis.Connect();
        var cache = new RedisReadCache(connection, new RedisCacheOptions { KeyPrefix = $"p{Guid.NewGuid():N}:" });
        var processor = new ChainEventProcessor(TestChain.Projector(DataSource), cache, NullLogger<ChainEventProcessor>.Instance);
        var publisher = new RecordingPublisher();
        // Other tests count concurrently (the instruments are process-wide): count only this test's network.
        var counted = new ConcurrentBag<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EchainMetrics.MeterName && instrument.Name.StartsWith("echain.reconcile.", StringComparison.Ordinal))
                l.EnableMeasurementEvents(instrument);
        };
        const string network = "reconcile-metrics-test";
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag is { Key: "network", Value: network }) counted.Add(instrument.Name);
        });
        listener.Start();

        var imported = TestChain.UsdcTransfer(10, 0, TestChain.Zero, TestChain.Alice, "100") with { Network = network, BlockHash = "0xb10", Origin = ChainEventOrigin.Import };
        var healed = TestChain.UsdcTransfer(11, 0, TestChain.Alice, TestChain.Bob, "40") with { Network = network, BlockHash = "0xb11", Origin = ChainEventOrigin.Heal };
        await processor.ProcessAsync(imported, publisher, default);
        await processor.ProcessAsync(healed, publisher, default);
        await processor.ProcessAsync(healed, publisher, default); // a duplicate heals nothing

        var bobsBalances = CacheResources.UserBalances(TestChain.Bob);
        await cache.GetOrLoadAsync(bobsBalances, "", TimeSpan.FromMinutes(5), _ => Task.FromResult<byte[]?>("[\"40\"]"u8.ToArray()), default);

        var removal = healed with { Removed = true, Parameters = new Dictionary<string, string>(), Origin = ChainEventOrigin.Reorg };
        var outcome = await processor.ProcessAsync(removal, publisher, default);
        var again = await processor.ProcessAsync(removal, publisher, default);

        Assert.Equal(ProjectionStatus.RolledBack, outcome.Status);
        Assert.Equal(ProjectionStatus.AlreadyApplied, again.Status);
        // Invalidated: the next read loads again.
        var reread = await cache.GetOrLoadAsync(bobsBalances, "", TimeSpan.FromMinutes(5), _ => Task.FromResult<byte[]?>("[]"u8.ToArray()), default);
        Assert.Equal((CacheSource.Loaded, "[]"), (reread!.Source, Encoding.UTF8.GetString(reread.Utf8Json)));
        // Published once and marked delivered: the redelivery owes nothing.
        Assert.Equal(
            [$"{TestChain.Alice}=100", $"{TestChain.Alice}=60", $"{TestChain.Bob}=40", $"{TestChain.Alice}=100", $"{TestChain.Bob}=0"],
            publisher.Messages.Where(m => m.Target == RealtimeTargets.BalanceUpdated)
                .Select(m => $"{m.UserId}={m.Payload["balance"]}"));
        Assert.Empty(again.Messages);
        Assert.Equal(1, counted.Count(n => n == "echain.reconcile.imported"));
        Assert.Equal(1, counted.Count(n => n == "echain.reconcile.healed"));
        Assert.Equal(1, counted.Count(n => n == "echain.reconcile.rolled_back"));
    }
}
