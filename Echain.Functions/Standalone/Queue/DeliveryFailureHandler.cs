using Echain.Core;
using Echain.Core.Processing;
using Echain.Core.Queue;
using StackExchange.Redis;

namespace Echain.Functions.Standalone.Queue;

/// <summary>What became of a failed delivery, for the batch's backoff decision.</summary>
internal enum FailureOutcome { Uncounted, Counted, DeadLettered, NoLongerPending }

/// <summary>
/// What becomes of a delivery that did not succeed: dead-lettered when it can never apply (not a chain event,
/// delivered too often, or <see cref="FailurePolicy.Decide"/> says so with the message's counted failures from
/// <see cref="RedisQueueOptions.FailuresKey"/>), otherwise left pending with its error recorded in
/// <see cref="RedisQueueOptions.ErrorsKey"/> for the retry after the visibility timeout.
/// </summary>
internal sealed class DeliveryFailureHandler(
    IConnectionMultiplexer redis, RedisQueueOptions options, DeadLetterStore deadLetters, ILogger logger)
{
    // Records the failure only while the message is still ours and pending (XCLAIM JUSTID to ourselves: it also resets
    // the idle time without counting a delivery, so the retry comes a full visibility timeout after the failure).
    // Returns the counted failures, -1 when the message was acknowledged or dead-lettered meanwhile.
    private const string RecordFailureScript = """
        local claimed = redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
        if #claimed == 0 then return -1 end
        redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
        redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
        if ARGV[5] == '1' then return redis.call('HINCRBY', KEYS[4], ARGV[3], 1) end
        return tonumber(redis.call('HGET', KEYS[4], ARGV[3]) or '0')
        """;

    private IDatabase Db => redis.GetDatabase();

    /// <summary>The body can never become a chain event: dead-letter at once.</summary>
    public Task NotAChainEventAsync(Delivery delivery, string error)
    {
        EchainMetrics.EventsFailed.Add(1);
        return deadLetters.MoveAsync(delivery, "not-a-chain-event", error, countedFailures: 0);
    }

    /// <summary>Delivered that often without success or failure being recorded: it kills or hangs its consumer.</summary>
    public async Task DeliveredTooOftenAsync(Delivery delivery)
    {
        var db = Db;
        var lastError = db.HashGetAsync(options.ErrorsKey, delivery.MessageId);
        var failures = db.HashGetAsync(options.FailuresKey, delivery.MessageId);
        var reason = $"no outcome after {delivery.UnrecordedDeliveries} deliveries (consumer died or exceeded the visibility timeout)";
        await deadLetters.MoveAsync(delivery, "delivered-too-often",
            (await lastError).IsNull ? reason : $"{reason}; last error: {await lastError}",
            (int)((await failures).IsNull ? 0 : (long)await failures));
    }

    public async Task<FailureOutcome> HandlerFailedAsync(Delivery delivery, Exception ex)
    {
        EchainMetrics.EventsFailed.Add(1);
        var error = Delivery.Describe(ex);
        var kind = FailurePolicy.Classify(ex);
        var counts = FailurePolicy.CountsTowardLimit(kind);
        var failures = (int)(long)await Db.ScriptEvaluateAsync(RecordFailureScript,
            [options.StreamName, options.ErrorsKey, options.OutcomesKey, options.FailuresKey],
            [options.GroupName, options.ConsumerName, delivery.MessageId, error, counts ? "1" : "0"]);
        if (failures < 0)
            return FailureOutcome.NoLongerPending; // handled by another consumer meanwhile (reclaimed while in flight)
        // Failures are rare: reading the body again for the log's key costs nothing that matters.
        ProcessingLog.Failed(logger, ChainEventMessage.TryDeserialize(delivery.Data, out _), FailurePolicy.Tag(kind),
            delivery.DeliveryCount, counts, ex.Message);

        if (FailurePolicy.Decide(kind, failures, options.MaxDeliveries) == FailureDecision.DeadLetter)
        {
            await deadLetters.MoveAsync(delivery, FailurePolicy.Tag(kind), error, failures);
            return FailureOutcome.DeadLettered;
        }
        if (!counts)
        {
            // Logged once per backoff step by the consumer, not per message: an outage fails every message alike.
            EchainMetrics.EventsRetriedUncounted.Add(1, new KeyValuePair<string, object?>("kind", FailurePolicy.Tag(kind)));
            logger.LogDebug(ex, "Message {MessageId} failed ({Kind}, not counted); retried after the backoff", delivery.MessageId, FailurePolicy.Tag(kind));
            return FailureOutcome.Uncounted;
        }
        logger.LogWarning(ex, "Handler failed for message {MessageId} ({Kind}, counted failure {Failures} of {Max}); retry after {Timeout}",
            delivery.MessageId, FailurePolicy.Tag(kind), failures, options.MaxDeliveries, options.VisibilityTimeout);
        return FailureOutcome.Counted;
    }
}
