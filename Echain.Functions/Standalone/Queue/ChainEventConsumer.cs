using System.Diagnostics;
using System.Threading.Channels;
using Echain.Core.Queue;
using Echain.Core.Telemetry;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Echain.Functions.Standalone.Queue;

/// <summary>
/// Consuming side of the standalone queue, run by the standalone host's background service; any number
/// of processes share the consumer group. At-least-once: a message is acknowledged (XACK + XDEL) only
/// after its handler succeeded; a failed or abandoned delivery stays pending and is reclaimed (XAUTOCLAIM)
/// once idle for <see cref="RedisQueueOptions.VisibilityTimeout"/>. The failure that brings its counted failures to
/// <see cref="RedisQueueOptions.MaxDeliveries"/> moves the message to the dead-letter stream
/// (<see cref="DeliveryFailureHandler"/>, <see cref="DeadLetterStore"/>); failures that do not count (a dependency
/// down) never do, and make the consumer back off (<see cref="TransientBackoff"/>) until a delivery succeeds.
/// </summary>
public sealed class ChainEventConsumer
{
    // One round trip for a lane's successes: acknowledge, drop the bodies (keeps the stream short), forget the last errors and the counts.
    private const string AckScript = """
        local ids = {unpack(ARGV, 2)}
        redis.call('XACK', KEYS[1], ARGV[1], unpack(ids))
        redis.call('XDEL', KEYS[1], unpack(ids))
        redis.call('HDEL', KEYS[2], unpack(ids))
        redis.call('HDEL', KEYS[3], unpack(ids))
        redis.call('HDEL', KEYS[4], unpack(ids))
        return #ids
        """;

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisQueueOptions _options;
    private readonly ILogger _logger;
    private readonly IdleMessageReclaimer _reclaimer;
    private readonly DeliveryFailureHandler _failures;
    private readonly TransientBackoff _backoff;

    public ChainEventConsumer(IConnectionMultiplexer redis, RedisQueueOptions options, ILogger<ChainEventConsumer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _redis = redis;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _reclaimer = new IdleMessageReclaimer(redis, options, _logger);
        _failures = new DeliveryFailureHandler(redis, options, new DeadLetterStore(redis, options, _logger), _logger);
        _backoff = new TransientBackoff(options.TransientBackoff, options.ConsumerName);
    }

    private IDatabase Db => _redis.GetDatabase();

    /// <summary>
    /// Consumes until <paramref name="cancellationToken"/> is cancelled, then returns, one message at a time per lane (each
    /// acknowledged when its handler returned). Redis outages are logged and waited out. A handler cancelled by the token leaves
    /// its message pending (redelivered later). Not reentrant: one run per instance.
    /// </summary>
    public Task RunAsync(Func<QueuedChainEvent, CancellationToken, Task> handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return RunAsync(async (messages, ct) =>
        {
            await handler(messages[0], ct);
            return [null];
        }, laneChunk: 1, cancellationToken);
    }

    /// <summary>
    /// As <see cref="RunAsync(Func{QueuedChainEvent, CancellationToken, Task}, CancellationToken)"/>, but the handler takes each
    /// lane's messages of a batch at once, in stream order, and answers one failure (null: it succeeded) per message; the
    /// successes are acknowledged together. A handler that throws fails all of them.
    /// </summary>
    public Task RunLanesAsync(Func<IReadOnlyList<QueuedChainEvent>, CancellationToken, Task<IReadOnlyList<Exception?>>> handler,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        return RunAsync(handler, laneChunk: int.MaxValue, cancellationToken);
    }

    private async Task RunAsync(Func<IReadOnlyList<QueuedChainEvent>, CancellationToken, Task<IReadOnlyList<Exception?>>> handler, int laneChunk,
        CancellationToken cancellationToken)
    {
        var wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
        {
            FullMode = BoundedChannelFullMode.DropWrite,
            SingleReader = true,
        });
        Action<RedisChannel, RedisValue> onWake = (_, _) => wake.Writer.TryWrite(true);
        var subscriber = _redis.GetSubscriber();
        var subscribed = false;
        var groupReady = false;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    if (!groupReady)
                    {
                        await EnsureGroupAsync();
                        groupReady = true;
                    }
                    if (!subscribed)
                    {
                        await subscriber.SubscribeAsync(_options.WakeChannel, onWake);
                        subscribed = true;
                    }
                    // Drain before reading: a wake-up that arrives after this point is kept for the wait below.
                    while (wake.Reader.TryRead(out _)) { }
                    var batch = await NextBatchAsync();
                    if (batch.Count == 0)
                    {
                        await WaitForWorkAsync(wake.Reader, cancellationToken);
                        continue;
                    }
                    var tally = await ProcessBatchAsync(batch, handler, laneChunk, cancellationToken);
                    if (_backoff.AfterBatch(tally.Succeeded, tally.Uncounted) is { } pause)
                    {
                        // Once per step, not per message: during an outage every message fails alike.
                        _logger.LogWarning(tally.FirstUncounted, "{Failed} of {Count} deliveries failed without counting toward the limit; " +
                            "consumer {Consumer} backs off {Pause} (step {Step}) before reading again",
                            tally.Uncounted, batch.Count, _options.ConsumerName, pause, _backoff.Step);
                        await Task.Delay(pause, cancellationToken);
                    }
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
                {
                    // The stream or group vanished (Redis restarted without persistence, or was flushed).
                    _logger.LogWarning(ex, "Consumer group {Group} on {Stream} is missing; recreating it", _options.GroupName, _options.StreamName);
                    groupReady = false;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    // Handlers' failures are judged per message; what gets here is Redis, or the client failing outside its own
                    // exception types (seen: an InvalidOperationException from its pipe reader while reconnecting under load).
                    // Neither may stop the projection: the batch's messages stay pending and are reclaimed.
                    if (ex is RedisException or TimeoutException)
                        _logger.LogWarning(ex, "Redis error in chain-event consumer {Consumer}; retrying in {Delay}", _options.ConsumerName, _options.RetryDelay);
                    else
                        _logger.LogError(ex, "Chain-event consumer {Consumer} failed unexpectedly; retrying in {Delay}", _options.ConsumerName, _options.RetryDelay);
                    try
                    {
                        await Task.Delay(_options.RetryDelay, cancellationToken);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        break;
                    }
                }
            }
        }
        finally
        {
            if (subscribed)
                await UnsubscribeAsync(subscriber, onWake);
        }
    }

    private async Task EnsureGroupAsync()
    {
        try
        {
            // From 0: messages queued before the first consumer ever started are not skipped.
            await Db.StreamCreateConsumerGroupAsync(_options.StreamName, _options.GroupName, "0", createStream: true);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
            // Exists already: the normal case for every consumer but the first.
        }
    }

    private async Task UnsubscribeAsync(ISubscriber subscriber, Action<RedisChannel, RedisValue> onWake)
    {
        try
        {
            await subscriber.UnsubscribeAsync(_options.WakeChannel, onWake);
        }
        catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
        {
            // Shutting down while Redis is unreachable or already disposed: the server drops the subscription with the connection.
            _logger.LogDebug(ex, "Could not unsubscribe from {Channel}", _options.WakeChannel);
        }
    }

    private async Task WaitForWorkAsync(ChannelReader<bool> wake, CancellationToken cancellationToken)
    {
        var untilReclaim = _reclaimer.UntilDue;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(untilReclaim < _options.IdlePollInterval ? untilReclaim : _options.IdlePollInterval);
        try
        {
            await wake.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // Poll interval elapsed without a wake-up: look again.
        }
    }

    private async Task<List<Delivery>> NextBatchAsync()
    {
        var batch = new List<Delivery>();
        if (_reclaimer.Due)
            await _reclaimer.ReclaimAsync(batch);

        var fresh = await Db.StreamReadGroupAsync(_options.StreamName, _options.GroupName, _options.ConsumerName, ">", _options.BatchSize);
        foreach (var entry in fresh)
            batch.Add(Delivery.Of(entry, 1));
        return batch;
    }

    /// <summary>
    /// Runs a batch in at most MaxConcurrency lanes. The lane is a stable hash of the transaction hash, so
    /// the logs of one transaction run in stream order, one after another; the next batch is read only
    /// when this one is finished (no message of this consumer is in flight during a reclaim).
    /// </summary>
    private async Task<BatchTally> ProcessBatchAsync(List<Delivery> batch,
        Func<IReadOnlyList<QueuedChainEvent>, CancellationToken, Task<IReadOnlyList<Exception?>>> handler, int laneChunk,
        CancellationToken cancellationToken)
    {
        var tally = new BatchTally();
        var lanes = new List<(Delivery, QueuedChainEvent)>?[_options.MaxConcurrency];
        foreach (var delivery in batch)
        {
            var chainEvent = ChainEventMessage.TryDeserialize(delivery.Data, out var trace, out var error);
            if (chainEvent is null)
            {
                await _failures.NotAChainEventAsync(delivery, error!);
                continue;
            }
            if (delivery.DeliveredTooOften(_options.MaxDeliveries))
            {
                await _failures.DeliveredTooOftenAsync(delivery);
                continue;
            }
            var lane = (int)(Fnv1a(chainEvent.TransactionHash) % (uint)lanes.Length);
            (lanes[lane] ??= []).Add((delivery, new QueuedChainEvent(delivery.MessageId, chainEvent, delivery.DeliveryCount, trace)));
        }

        var running = new List<Task>(lanes.Length);
        foreach (var lane in lanes)
        {
            if (lane is not null)
                running.Add(RunLaneAsync(lane, handler, laneChunk, tally, cancellationToken));
        }
        await Task.WhenAll(running);
        return tally;
    }

    private async Task RunLaneAsync(List<(Delivery Delivery, QueuedChainEvent Message)> lane,
        Func<IReadOnlyList<QueuedChainEvent>, CancellationToken, Task<IReadOnlyList<Exception?>>> handler, int laneChunk, BatchTally tally,
        CancellationToken cancellationToken)
    {
        await Task.Yield(); // lanes run in parallel even when a handler completes synchronously
        var outer = Activity.Current;
        foreach (var chunk in lane.Chunk(laneChunk))
        {
            cancellationToken.ThrowIfCancellationRequested();
            // Each message's span, under the webhook request that queued it; its failure handling and its ack belong to it too.
            var spans = StartSpans(chunk, outer);
            try
            {
                IReadOnlyList<Exception?> failures;
                try
                {
                    failures = await handler(chunk.Select(m => m.Message).ToArray(), cancellationToken);
                    if (failures.Count != chunk.Length)
                        throw new InvalidOperationException($"The handler answered {failures.Count} results for {chunk.Length} messages.");
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    throw; // shutting down: the messages stay pending and are reclaimed later
                }
                catch (Exception ex)
                {
                    failures = Enumerable.Repeat<Exception?>(ex, chunk.Length).ToArray();
                }
                var succeeded = new List<RedisValue>(chunk.Length);
                for (var i = 0; i < chunk.Length; i++)
                {
                    if (failures[i] is not { } failure)
                    {
                        succeeded.Add(chunk[i].Delivery.MessageId);
                        continue;
                    }
                    Activity.Current = spans[i];
                    EchainTracing.Failed(spans[i], failure);
                    if (await _failures.HandlerFailedAsync(chunk[i].Delivery, failure) == FailureOutcome.Uncounted)
                        tally.AddUncounted(failure);
                }
                if (succeeded.Count == 0) continue;
                await Db.ScriptEvaluateAsync(AckScript, [_options.StreamName, _options.ErrorsKey, _options.FailuresKey, _options.OutcomesKey],
                    [_options.GroupName, .. succeeded]);
                for (var i = 0; i < succeeded.Count; i++) tally.AddSuccess();
            }
            finally
            {
                foreach (var span in spans) span?.Dispose();
                Activity.Current = outer; // the next chunk's spans are not children of this one's
            }
        }
    }

    /// <summary>One span per message, siblings (none the parent of another); the first is current while the handler runs.</summary>
    private Activity?[] StartSpans((Delivery Delivery, QueuedChainEvent Message)[] chunk, Activity? outer)
    {
        var spans = new Activity?[chunk.Length];
        for (var i = 0; i < chunk.Length; i++)
        {
            Activity.Current = outer;
            spans[i] = EchainTracing.StartProcess(chunk[i].Message.Event, chunk[i].Message.Trace, "redis", _options.StreamName);
        }
        Activity.Current = spans.Length > 0 && spans[0] is { } first ? first : outer;
        return spans;
    }

    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
            hash = (hash ^ c) * 16777619u;
        return hash;
    }
}
