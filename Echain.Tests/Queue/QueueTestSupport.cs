using System.Collections.Concurrent;
using Echain.Core.Chain;
using Echain.Core.Queue;
using Echain.Functions.Standalone.Queue;
using StackExchange.Redis;

namespace Echain.Tests.Queue;

internal static class QueueTestSupport
{
    /// <summary>Fresh stream names per test: tests of one class share one server.</summary>
    public static RedisQueueOptions Options(string consumer = "c1", int visibilityMs = 300)
    {
        var stream = "test:" + Guid.NewGuid().ToString("N");
        return new RedisQueueOptions
        {
            StreamName = stream,
            DeadLetterStream = stream + ":dead",
            ConsumerName = consumer,
            VisibilityTimeout = TimeSpan.FromMilliseconds(visibilityMs),
            IdlePollInterval = TimeSpan.FromMilliseconds(200),
            RetryDelay = TimeSpan.FromMilliseconds(100),
        };
    }

    public static ChainEvent Event(int n) => new(
        "base-mainnet", "0x" + n.ToString("x64"), n % 7, 1000 + n, DateTimeOffset.Parse("2026-05-19T21:22:10Z"),
        "0x940181a94a35a4569e4529a3cdfb74e38fd98631", "Transfer",
        new Dictionary<string, string> { ["from"] = "0x0000000000000000000000000000000000000000", ["tokenId"] = n.ToString() });

    /// <summary>Runs a consumer in the background; Dispose cancels it and waits for RunAsync to return.</summary>
    public sealed class RunningConsumer : IAsyncDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _run;

        public RunningConsumer(ChainEventConsumer consumer, Func<QueuedChainEvent, CancellationToken, Task> handler)
        {
            Consumer = consumer;
            _run = Task.Run(() => consumer.RunAsync(handler, _stop.Token));
        }

        /// <summary>A consumer that hands each lane's messages of a read to the handler at once.</summary>
        public RunningConsumer(ChainEventConsumer consumer, Func<IReadOnlyList<QueuedChainEvent>, CancellationToken, Task<IReadOnlyList<Exception?>>> lanes)
        {
            Consumer = consumer;
            _run = Task.Run(() => consumer.RunLanesAsync(lanes, _stop.Token));
        }

        public ChainEventConsumer Consumer { get; }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _run; // RunAsync returns normally on cancellation; anything else fails the test
            _stop.Dispose();
        }
    }

    public static async Task WaitDrainedAsync(IChainEventQueueMonitor queue) =>
        await Infrastructure.Eventually.TrueAsync(async () =>
        {
            var stats = await queue.GetStatsAsync();
            return stats is { Length: 0, Pending: 0 };
        }, "the stream is empty and nothing is pending");

    public static ConcurrentQueue<QueuedChainEvent> Log() => new();

    public static RedisValue[] Ids(IEnumerable<string> ids) => ids.Select(i => (RedisValue)i).ToArray();
}
