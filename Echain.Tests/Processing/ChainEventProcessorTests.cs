using System.Numerics;
using Echain.Core.Processing;
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
        // Two balance-updated messages per applied transfer, none for the duplicate deliveries.
        Assert.Equal(transfers.Length * 2, publisher.Messages.Count(m => m.Target == RealtimeTargets.BalanceUpdated));
    }

    private sealed class RecordingPublisher : IRealtimePublisher
    {
        private readonly List<RealtimeMessage> _messages = [];
        public IReadOnlyList<RealtimeMessage> Messages { get { lock (_messages) return _messages.ToArray(); } }

        public Task PublishAsync(IReadOnlyList<RealtimeMessage> messages, CancellationToken cancellationToken)
        {
            lock (_messages) _messages.AddRange(messages);
            return Task.CompletedTask;
        }
    }
}
