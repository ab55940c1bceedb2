using Echain.Core.Chain;
using Echain.Core.Processing;
using Echain.Core.Queue;
using StackExchange.Redis;

namespace Echain.Functions.Standalone.Queue;

/// <summary>The standalone host's "chain-events" queue: a Redis Stream read by one consumer group.</summary>
public sealed record RedisQueueOptions
{
    public const string Section = "Echain:Queue";

    /// <summary>The stream entry field that holds the <see cref="ChainEventMessage"/> JSON.</summary>
    public const string DataField = "data";

    public string StreamName { get; init; } = "echain:chain-events";
    public string GroupName { get; init; } = "projectors";

    /// <summary>Unique per process: a restarted process gets a new name and reclaims the old one's messages.</summary>
    public string ConsumerName { get; init; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>A delivered message not acknowledged within this time is handed out again (a killed consumer's,
    /// or one whose handler failed). Handlers must finish well within it, or another consumer runs them too.</summary>
    public TimeSpan VisibilityTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The message whose counted failures (<see cref="FailurePolicy.CountsTowardLimit"/>) reach this number dead-letters,
    /// and so does one delivered this often without any outcome recorded (it kills or hangs its consumer).
    /// Transient failures never count, however many.
    /// </summary>
    public int MaxDeliveries { get; init; } = FailurePolicy.MaxDeliveries;

    /// <summary>First pause of the consumer after a batch whose failures did not count (a dependency down); doubles per such batch.</summary>
    public TimeSpan TransientBackoffInitial { get; init; } = RetryBackoff.Default.Initial;

    /// <summary>Cap of that pause: during a long outage the consumer tries about once per this interval, and resumes by itself.</summary>
    public TimeSpan TransientBackoffMax { get; init; } = RetryBackoff.Default.Max;

    internal RetryBackoff TransientBackoff => new(TransientBackoffInitial, TransientBackoffMax);

    public string DeadLetterStream { get; init; } = "echain:chain-events:dead";

    /// <summary>
    /// Whether this instance runs the consumer. False makes an ingest-only instance (webhooks and reads,
    /// no projection), for splitting ingest from projection across machines.
    /// </summary>
    public bool Consume { get; init; } = true;

    /// <summary>Messages read per XREADGROUP / XAUTOCLAIM; the standalone worker applies each lane's share in one transaction.</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>
    /// Lanes per consumer (one transaction's logs share a lane). The worker applies a lane's messages of one read in one
    /// transaction, and the logs of one event share its stream's lock until their commit, so commits to a busy event come
    /// one after another: fewer, fuller lanes put more logs behind each commit. The benchmark's quick run on 2 cores
    /// measured 387 events/s with 16 lanes of a 64-message read and 811 with 4 lanes of a 256-message read.
    /// </summary>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>Fallback poll when no wake-up arrives (pub/sub is best effort: a missed PUBLISH only costs this).</summary>
    public TimeSpan IdlePollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Upper bound for one enqueue, so a hung Redis answers the webhook with 503 instead of hanging it.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Pause of the consumer loop after a Redis error before it tries again.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    internal RedisChannel WakeChannel => RedisChannel.Literal(StreamName + ":wake");

    /// <summary>Hash: message id → last handler error, while the message waits for its retry.</summary>
    internal RedisKey ErrorsKey => StreamName + ":errors";

    /// <summary>Hash: message id → its counted failures, what <see cref="FailurePolicy.Decide"/> is asked with.</summary>
    internal RedisKey FailuresKey => StreamName + ":failures";

    /// <summary>Hash: message id → its deliveries that ended with a recorded failure (counted or not); the rest of
    /// the Redis delivery counter is deliveries that never reported back.</summary>
    internal RedisKey OutcomesKey => StreamName + ":outcomes";

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(StreamName) || string.IsNullOrWhiteSpace(GroupName)
            || string.IsNullOrWhiteSpace(ConsumerName) || string.IsNullOrWhiteSpace(DeadLetterStream))
            throw new ArgumentException("RedisQueueOptions: stream, group, consumer and dead-letter names are required.");
        if (StreamName == DeadLetterStream)
            throw new ArgumentException("RedisQueueOptions: the dead-letter stream must differ from the stream.");
        if (MaxDeliveries < 1 || BatchSize < 1 || MaxConcurrency < 1)
            throw new ArgumentException("RedisQueueOptions: MaxDeliveries, BatchSize and MaxConcurrency must be at least 1.");
        if (VisibilityTimeout <= TimeSpan.Zero || IdlePollInterval <= TimeSpan.Zero || OperationTimeout <= TimeSpan.Zero)
            throw new ArgumentException("RedisQueueOptions: timeouts must be positive.");
        if (TransientBackoffInitial <= TimeSpan.Zero || TransientBackoffMax < TransientBackoffInitial)
            throw new ArgumentException("RedisQueueOptions: TransientBackoffInitial must be positive and at most TransientBackoffMax.");
    }
}

/// <summary>One delivery of a queued event. <paramref name="DeliveryCount"/> is 1 on the first delivery; <paramref name="Trace"/> is what the message carried.</summary>
public sealed record QueuedChainEvent(string MessageId, ChainEvent Event, int DeliveryCount, QueuedTrace Trace);

