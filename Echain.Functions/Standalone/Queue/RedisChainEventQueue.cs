using Echain.Core.Chain;
using Echain.Core.Queue;
using StackExchange.Redis;

namespace Echain.Functions.Standalone.Queue;

/// <summary>
/// Producer side of the standalone queue: one XADD per event, pipelined on the multiplexer's connection in the webhook's
/// order, then a fire-and-forget PUBLISH behind them that wakes idle consumers without waiting for their poll
/// (StackExchange.Redis cannot issue XREADGROUP BLOCK). No MULTI/EXEC: Redis runs one connection's commands in the order
/// sent, so the events land in order and the wake-up after the last; and a webhook only answers 202 once every XADD
/// is confirmed. If some are not, it answers 503 and the sender retries the whole delivery: events already appended
/// are then projected once, because the projection deduplicates by natural key (network, transaction hash, log index).
/// </summary>
public sealed class RedisChainEventQueue : IChainEventQueue
{
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisQueueOptions _options;

    public RedisChainEventQueue(IConnectionMultiplexer redis, RedisQueueOptions options)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _redis = redis;
        _options = options;
    }

    public async Task<IReadOnlyList<string>> EnqueueAsync(IReadOnlyList<ChainEvent> events, QueuedTrace trace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
            return [];

        // Serialize before touching Redis: a serialization bug must not look like an outage.
        var bodies = new RedisValue[events.Count];
        for (var i = 0; i < events.Count; i++)
            bodies[i] = ChainEventMessage.SerializeToUtf8Bytes(events[i], trace);

        var db = _redis.GetDatabase();
        var adds = new Task<RedisValue>[bodies.Length];
        for (var i = 0; i < bodies.Length; i++)
            adds[i] = db.StreamAddAsync(_options.StreamName, RedisQueueOptions.DataField, bodies[i]);
        db.Publish(_options.WakeChannel, "1", CommandFlags.FireAndForget);
        try
        {
            await (adds.Length == 1 ? adds[0] : (Task)Task.WhenAll(adds)).WaitAsync(_options.OperationTimeout, cancellationToken);
        }
        // StackExchange.Redis also cancels the tasks of commands still pending when its connection fails (seen in CI while Redis
        // was stopped: a TaskCanceledException, answered 500): a cancellation the caller did not ask for is the outage too.
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException
                                   || ex is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Observe(adds);
            throw Unavailable(events.Count, ex);
        }

        var ids = new string[adds.Length];
        for (var i = 0; i < adds.Length; i++)
            ids[i] = (await adds[i]).ToString();
        return ids;
    }

    // After a timeout the command may still complete later; the sender's retry is deduplicated by the
    // projection's natural key, so "not confirmed" is the honest answer.
    private QueueUnavailableException Unavailable(int count, Exception ex) => new(
        $"Redis stream '{_options.StreamName}' did not confirm the enqueue of {count} event(s): {ex.Message}", ex);

    /// <summary>The other XADDs of a failed enqueue may fault later; nobody awaits them, so mark them observed.</summary>
    private static void Observe(params Task[] tasks)
    {
        foreach (var task in tasks)
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
