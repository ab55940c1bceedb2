using System.Collections.Concurrent;
using Echain.Core.Chain;
using Echain.Core.Queue;
using Echain.Functions.Standalone.Queue;
using Echain.Tests.Infrastructure;
using StackExchange.Redis;
using static Echain.Tests.Queue.QueueTestSupport;

namespace Echain.Tests.Queue;

/// <summary>The consumer handing a lane's messages over together, as the standalone worker takes them.</summary>
public sealed class LaneBatchTests(RedisServer server) : IClassFixture<RedisServer>, IDisposable
{
    private readonly ConnectionMultiplexer _redis = server.Connect();

    public void Dispose() => _redis.Dispose();

    [Fact]
    public async Task A_lanes_messages_arrive_together_in_stream_order_and_only_the_failed_one_is_redelivered()
    {
        var options = Options(visibilityMs: 300);
        var queue = new RedisChainEventQueue(_redis, options);
        // Three logs of one transaction (one lane, in this order) between logs of other transactions.
        const string shared = "0x00000000000000000000000000000000000000000000000000000000000000aa";
        ChainEvent Of(int n) => Event(n) with { TransactionHash = shared, LogIndex = n };
        var sent = new[] { Event(1), Of(10), Event(2), Of(11), Of(12), Event(3) };
        await queue.EnqueueAsync(sent, default); // before the consumer starts: one read takes all six

        var handed = new ConcurrentQueue<QueuedChainEvent[]>();
        var consumer = new ChainEventConsumer(_redis, options);
        await using (new RunningConsumer(consumer, (messages, _) =>
        {
            handed.Enqueue([.. messages]);
            // The middle log of the transaction fails once: its neighbours are acknowledged, it alone comes back.
            IReadOnlyList<Exception?> failures = messages
                .Select(m => m.Event.LogIndex == 11 && m.DeliveryCount == 1 ? new InvalidOperationException("database is restarting") : null)
                .ToArray();
            return Task.FromResult(failures);
        }))
        {
            await Eventually.TrueAsync(() => handed.SelectMany(h => h).Count() >= 7, "six messages and one redelivery were handed over");
            await WaitDrainedAsync(new RedisChainEventQueueMonitor(_redis, options));
        }

        var lane = Assert.Single(handed, h => h.Any(m => m.Event.TransactionHash == shared && m.DeliveryCount == 1));
        Assert.Equal([10, 11, 12], lane.Where(m => m.Event.TransactionHash == shared).Select(m => m.Event.LogIndex));
        var redelivered = Assert.Single(handed, h => h.Any(m => m.DeliveryCount == 2));
        Assert.Equal((11, 2), (Assert.Single(redelivered).Event.LogIndex, redelivered[0].DeliveryCount));
        Assert.Equal(sent.Length + 1, handed.Sum(h => h.Length));
        Assert.Equal(0, await _redis.GetDatabase().StreamLengthAsync(options.StreamName));
    }

    [Fact]
    public async Task A_handler_that_throws_fails_every_message_it_was_handed()
    {
        var options = Options(visibilityMs: 300);
        var queue = new RedisChainEventQueue(_redis, options);
        const string shared = "0x00000000000000000000000000000000000000000000000000000000000000bb";
        await queue.EnqueueAsync([Event(1) with { TransactionHash = shared }, Event(2) with { TransactionHash = shared }], default);

        var attempts = new ConcurrentQueue<int>();
        var consumer = new ChainEventConsumer(_redis, options);
        await using (new RunningConsumer(consumer, (messages, _) =>
        {
            foreach (var m in messages) attempts.Enqueue(m.DeliveryCount);
            if (messages[0].DeliveryCount == 1) throw new InvalidOperationException("the lane's handler crashed");
            return Task.FromResult<IReadOnlyList<Exception?>>(new Exception?[messages.Count]);
        }))
        {
            await Eventually.TrueAsync(() => attempts.Count(a => a == 2) >= 2, "both messages were delivered again");
            await WaitDrainedAsync(new RedisChainEventQueueMonitor(_redis, options));
        }

        Assert.Equal([1, 1, 2, 2], attempts.Order());
    }
}
