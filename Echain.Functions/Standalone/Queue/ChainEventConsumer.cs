using System.Globalization;
using System.Threading.Channels;
using Echain.Core;
using Echain.Core.Processing;
using Echain.Core.Queue;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Echain.Functions.Standalone.Queue;

/// <summary>
/// Consuming side of the standalone queue, run by the standalone host's background service; any number
/// of processes share the consumer group. At-least-once: a message is acknowledged (XACK + XDEL) only
/// after its handler succeeded; a failed or abandoned delivery stays pending and is reclaimed (XAUTOCLAIM)
/// once idle for <see cref="RedisQueueOptions.VisibilityTimeout"/>; the delivery that fails with count
/// <see cref="RedisQueueOptions.MaxDeliveries"/> moves the message to the dead-letter stream.
/// </summary>
public sealed class ChainEventConsumer : IChainEventQueueMonitor
{
    // One round trip: acknowledge, drop the body (keeps the stream short), forget the last error.
    private const string AckScript = """
        redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        redis.call('XDEL', KEYS[1], ARGV[2])
        redis.call('HDEL', KEYS[2], ARGV[2])
        return 1
        """;

    // Move only if still pending, so a message handled twice (reclaimed while in flight) is dead-lettered once.
    private const string DeadLetterScript = """
        local moved = 0
        if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 1 then
          redis.call('XADD', KEYS[3], '*', 'data', ARGV[3], 'error', ARGV[4], 'deliveries', ARGV[5],
                     'original_id', ARGV[2], 'failed_at', ARGV[6])
          moved = 1
        end
        redis.call('XDEL', KEYS[1], ARGV[2])
        redis.call('HDEL', KEYS[2], ARGV[2])
        return moved
        """;

    // XDEL answers 1 only to the first replayer, so a dead letter is re-queued once.
    private const string ReplayScript = """
        if redis.call('XDEL', KEYS[1], ARGV[1]) == 1 then
          return redis.call('XADD', KEYS[2], '*', 'data', ARGV[2])
        end
        return false
        """;

    private const int MaxErrorLength = 4000;

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisQueueOptions _options;
    private readonly ILogger _logger;
    private readonly RedisKey _stream;
    private readonly RedisKey _deadLetters;
    private RedisValue _reclaimCursor = "0-0";
    private long _nextReclaimAt;

    public ChainEventConsumer(IConnectionMultiplexer redis, RedisQueueOptions options, ILogger<ChainEventConsumer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _redis = redis;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _stream = options.StreamName;
        _deadLetters = options.DeadLetterStream;
    }

    private IDatabase Db => _redis.GetDatabase();

    /// <summary>
    /// Consumes until <paramref name="cancellationToken"/> is cancelled, then returns. Redis outages are
    /// logged and waited out. A handler cancelled by the token leaves its message pending (redelivered later).
    /// Not reentrant: one RunAsync per instance.
    /// </summary>
    public async Task RunAsync(Func<QueuedChainEvent, CancellationToken, Task> handler, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
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
                    await ProcessBatchAsync(batch, handler, cancellationToken);
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
                catch (Exception ex) when (ex is RedisException or TimeoutException)
                {
                    _logger.LogWarning(ex, "Redis error in chain-event consumer {Consumer}; retrying in {Delay}", _options.ConsumerName, _options.RetryDelay);
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

    /// <summary>Lengths for /api/health.</summary>
    public async Task<ChainEventQueueStats> GetStatsAsync()
    {
        var db = Db;
        var length = db.StreamLengthAsync(_stream);
        var dead = db.StreamLengthAsync(_deadLetters);
        long pending;
        try
        {
            pending = (await db.StreamPendingAsync(_stream, _options.GroupName)).PendingMessageCount;
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            pending = 0; // no consumer has started yet: nothing can be pending
        }
        return new ChainEventQueueStats(await length, pending, await dead);
    }

    /// <summary>The oldest <paramref name="max"/> dead letters with their last error: what an operator reads before replaying.</summary>
    public async Task<IReadOnlyList<DeadLetter>> ListDeadLettersAsync(int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        var entries = await Db.StreamRangeAsync(_deadLetters, "-", "+", max);
        return entries.Select(e => new DeadLetter(
            e.Id!, e["original_id"].ToString(), e["error"].ToString(),
            int.TryParse(e["deliveries"].ToString(), CultureInfo.InvariantCulture, out var n) ? n : 0,
            e["failed_at"].ToString(), ReadData(e))).ToArray();
    }

    /// <summary>Moves up to <paramref name="max"/> dead letters (oldest first) back to the main stream as new
    /// messages with a fresh delivery count. Returns how many were moved.</summary>
    public async Task<int> ReplayDeadLettersAsync(int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        var db = Db;
        var entries = await db.StreamRangeAsync(_deadLetters, "-", "+", max);
        var moved = 0;
        foreach (var entry in entries)
        {
            var data = entry[ChainEventMessage.DataField];
            var result = await db.ScriptEvaluateAsync(ReplayScript, [_deadLetters, _stream],
                [entry.Id, data.IsNull ? RedisValue.EmptyString : data]);
            if (!result.IsNull)
            {
                moved++;
                _logger.LogInformation("Replayed dead letter {DeadId} as {MessageId}", entry.Id, result);
            }
        }
        if (moved > 0)
            await db.PublishAsync(_options.WakeChannel, "1");
        return moved;
    }

    private async Task EnsureGroupAsync()
    {
        try
        {
            // From 0: messages queued before the first consumer ever started are not skipped.
            await Db.StreamCreateConsumerGroupAsync(_stream, _options.GroupName, "0", createStream: true);
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
        var untilReclaim = TimeSpan.FromMilliseconds(Math.Max(1, _nextReclaimAt - Environment.TickCount64));
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
        if (Environment.TickCount64 >= _nextReclaimAt)
            await ReclaimAsync(batch);

        var fresh = await Db.StreamReadGroupAsync(_stream, _options.GroupName, _options.ConsumerName, ">", _options.BatchSize);
        foreach (var entry in fresh)
            batch.Add(new Delivery(entry.Id.ToString(), ReadData(entry), 1));
        return batch;
    }

    /// <summary>Takes over messages idle longer than the visibility timeout (failed, or their consumer died).</summary>
    private async Task ReclaimAsync(List<Delivery> batch)
    {
        var db = Db;
        var visibilityMs = (long)_options.VisibilityTimeout.TotalMilliseconds;
        var claim = await db.StreamAutoClaimAsync(_stream, _options.GroupName, _options.ConsumerName,
            visibilityMs, _reclaimCursor, _options.BatchSize);
        _reclaimCursor = claim.NextStartId;
        var scanComplete = claim.NextStartId.IsNull || claim.NextStartId == "0-0";
        if (scanComplete)
            _reclaimCursor = "0-0";
        // A full scan waits half a visibility timeout; a partial one continues on the next loop turn.
        _nextReclaimAt = Environment.TickCount64 + (scanComplete ? Math.Max(10, visibilityMs / 2) : 0);

        var claimed = claim.ClaimedEntries.Where(e => !e.IsNull).ToArray();
        if (claimed.Length == 0)
            return;

        // XAUTOCLAIM does not return the delivery counter; XPENDING does (already counting this delivery).
        var counts = await Task.WhenAll(claimed.Select(e =>
            db.StreamPendingMessagesAsync(_stream, _options.GroupName, 1, _options.ConsumerName, e.Id, e.Id)));
        for (var i = 0; i < claimed.Length; i++)
        {
            if (counts[i].Length == 0)
                continue; // another consumer claimed it in between: it is theirs now
            var delivery = new Delivery(claimed[i].Id.ToString(), ReadData(claimed[i]), counts[i][0].DeliveryCount);
            _logger.LogInformation("Reclaimed message {MessageId} (delivery {DeliveryCount})", delivery.MessageId, delivery.DeliveryCount);
            batch.Add(delivery);
        }
    }

    /// <summary>
    /// Runs a batch in at most MaxConcurrency lanes. The lane is a stable hash of the transaction hash, so
    /// the logs of one transaction run in stream order, one after another; the next batch is read only
    /// when this one is finished (no message of this consumer is in flight during a reclaim).
    /// </summary>
    private async Task ProcessBatchAsync(List<Delivery> batch, Func<QueuedChainEvent, CancellationToken, Task> handler,
        CancellationToken cancellationToken)
    {
        var lanes = new List<(Delivery, QueuedChainEvent)>?[_options.MaxConcurrency];
        foreach (var delivery in batch)
        {
            var chainEvent = ChainEventMessage.TryDeserialize(delivery.Data, out var error);
            if (chainEvent is null)
            {
                EchainMetrics.EventsFailed.Add(1);
                await DeadLetterAsync(delivery, error!);
                continue;
            }
            if (delivery.DeliveryCount > _options.MaxDeliveries)
            {
                // Delivered that often without success or failure being recorded: it kills or hangs its consumer.
                var lastError = await Db.HashGetAsync(_options.ErrorsKey, delivery.MessageId);
                await DeadLetterAsync(delivery, lastError.IsNull
                    ? $"not acknowledged after {delivery.DeliveryCount - 1} deliveries (consumer died or exceeded the visibility timeout)"
                    : lastError.ToString());
                continue;
            }
            var lane = (int)(Fnv1a(chainEvent.TransactionHash) % (uint)lanes.Length);
            (lanes[lane] ??= []).Add((delivery, new QueuedChainEvent(delivery.MessageId, chainEvent, delivery.DeliveryCount)));
        }

        var running = new List<Task>(lanes.Length);
        foreach (var lane in lanes)
        {
            if (lane is not null)
                running.Add(RunLaneAsync(lane, handler, cancellationToken));
        }
        await Task.WhenAll(running);
    }

    private async Task RunLaneAsync(List<(Delivery Delivery, QueuedChainEvent Message)> lane,
        Func<QueuedChainEvent, CancellationToken, Task> handler, CancellationToken cancellationToken)
    {
        await Task.Yield(); // lanes run in parallel even when a handler completes synchronously
        foreach (var (delivery, message) in lane)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await handler(message, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw; // shutting down: the message stays pending and is reclaimed later
            }
            catch (Exception ex)
            {
                await HandlerFailedAsync(delivery, ex);
                continue;
            }
            await Db.ScriptEvaluateAsync(AckScript, [_stream, _options.ErrorsKey], [_options.GroupName, delivery.MessageId]);
        }
    }

    private async Task HandlerFailedAsync(Delivery delivery, Exception ex)
    {
        EchainMetrics.EventsFailed.Add(1);
        var error = Describe(ex);
        if (FailurePolicy.Decide(FailurePolicy.Classify(ex), delivery.DeliveryCount, _options.MaxDeliveries) == FailureDecision.DeadLetter)
        {
            await DeadLetterAsync(delivery, error);
            return;
        }
        _logger.LogWarning(ex, "Handler failed for message {MessageId} (delivery {DeliveryCount} of {Max}); retry after {Timeout}",
            delivery.MessageId, delivery.DeliveryCount, _options.MaxDeliveries, _options.VisibilityTimeout);
        var transaction = Db.CreateTransaction();
        var recorded = transaction.HashSetAsync(_options.ErrorsKey, delivery.MessageId, error);
        // XCLAIM JUSTID to ourselves resets the idle time without counting a delivery, so the retry comes a
        // full visibility timeout after the failure rather than after the (possibly long) first attempt.
        var touched = transaction.StreamClaimIdsOnlyAsync(_stream, _options.GroupName, _options.ConsumerName, 0, [delivery.MessageId]);
        if (await transaction.ExecuteAsync())
            await Task.WhenAll(recorded, touched);
    }

    private async Task DeadLetterAsync(Delivery delivery, string error)
    {
        var moved = await Db.ScriptEvaluateAsync(DeadLetterScript, [_stream, _options.ErrorsKey, _deadLetters],
        [
            _options.GroupName, delivery.MessageId, delivery.Data ?? "", Truncate(error),
            delivery.DeliveryCount, DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        ]);
        if ((int)moved == 1)
        {
            EchainMetrics.EventsDeadLettered.Add(1);
            _logger.LogError("Dead-lettered message {MessageId} after {DeliveryCount} deliveries: {Error}",
                delivery.MessageId, delivery.DeliveryCount, error);
        }
    }

    private static string? ReadData(StreamEntry entry)
    {
        var data = entry[ChainEventMessage.DataField];
        return data.IsNull ? null : data.ToString();
    }

    private static string Describe(Exception ex) => Truncate($"{ex.GetType().FullName}: {ex.Message}");

    private static string Truncate(string text) => text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];

    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
            hash = (hash ^ c) * 16777619u;
        return hash;
    }

    private sealed record Delivery(string MessageId, string? Data, int DeliveryCount);
}

/// <summary>A message that could not be applied: its dead-letter id, original id, last error and the event JSON.</summary>
public sealed record DeadLetter(string Id, string OriginalId, string Error, int Deliveries, string FailedAt, string? Data);
