using Echain.Core.Chain;
using Echain.Core.Queue;
using StackExchange.Redis;

namespace Echain.Functions.Standalone.Queue;

/// <summary>
/// Producer side of the standalone queue: XADD per event inside one MULTI/EXEC, so a webhook's events are
/// queued whole or not at all, followed (in the same transaction) by a PUBLISH that wakes idle consumers
/// without waiting for their poll (StackExchange.Redis cannot issue XREADGROUP BLOCK).
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
            bodies[i] = ChainEventMessage.Serialize(events[i], trace);

        var db = _redis.GetDatabase();
        if (bodies.Length == 1)
        {
            // CDP delivers one log per webhook: a single XADD is already atomic, and MULTI/EXEC around it
            // only costs Redis work on the hottest path. The wake-up rides behind it on the same connection.
            string id;
            try
            {
                id = (await db.StreamAddAsync(_options.StreamName, RedisQueueOptions.DataField, bodies[0])
                    .WaitAsync(_options.OperationTimeout, cancellationToken)).ToString();
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
            {
                throw Unavailable(events.Count, ex);
            }
            db.Publish(_options.WakeChannel, "1", CommandFlags.FireAndForget);
            return [id];
        }

        var transaction = db.CreateTransaction();
        var adds = new Task<RedisValue>[bodies.Length];
        for (var i = 0; i < bodies.Length; i++)
            adds[i] = transaction.StreamAddAsync(_options.StreamName, RedisQueueOptions.DataField, bodies[i]);
        var wake = transaction.PublishAsync(_options.WakeChannel, "1");

        bool committed;
        try
        {
            committed = await transaction.ExecuteAsync().WaitAsync(_options.OperationTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException or ObjectDisposedException)
        {
            Observe(adds);
            Observe(wake);
            throw Unavailable(events.Count, ex);
        }
        if (!committed)
            throw new QueueUnavailableException($"Redis discarded the transaction enqueuing to '{_options.StreamName}'.");

        var ids = new string[adds.Length];
        for (var i = 0; i < adds.Length; i++)
            ids[i] = (await adds[i]).ToString();
        await wake;
        return ids;
    }

    // After a timeout the command may still complete later; the sender's retry is deduplicated by the
    // projection's natural key, so "not confirmed" is the honest answer.
    private QueueUnavailableException Unavailable(int count, Exception ex) => new(
        $"Redis stream '{_options.StreamName}' did not confirm the enqueue of {count} event(s): {ex.Message}", ex);

    /// <summary>The per-command tasks of a failed transaction fault later; nobody awaits them, so mark them observed.</summary>
    private static void Observe(params Task[] tasks)
    {
        foreach (var task in tasks)
            _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }
}
