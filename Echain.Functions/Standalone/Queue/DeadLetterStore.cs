using System.Globalization;
using Echain.Core;
using Echain.Core.Processing;
using Echain.Core.Queue;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Echain.Functions.Standalone.Queue;

/// <summary>
/// The dead-letter stream (<see cref="RedisQueueOptions.DeadLetterStream"/>): the consumer moves a message here
/// when it can never apply; the operator lists what failed and why, and replays it once the cause is fixed.
/// </summary>
public sealed class DeadLetterStore : IDeadLetterQueue
{
    // Move only if still pending, so a message handled twice (reclaimed while in flight) is dead-lettered once.
    private const string DeadLetterScript = """
        local moved = 0
        if redis.call('XACK', KEYS[1], ARGV[1], ARGV[2]) == 1 then
          redis.call('XADD', KEYS[3], '*', 'data', ARGV[3], 'error', ARGV[4], 'deliveries', ARGV[5],
                     'original_id', ARGV[2], 'failed_at', ARGV[6], 'kind', ARGV[7], 'failures', ARGV[8])
          moved = 1
        end
        redis.call('XDEL', KEYS[1], ARGV[2])
        redis.call('HDEL', KEYS[2], ARGV[2])
        redis.call('HDEL', KEYS[4], ARGV[2])
        redis.call('HDEL', KEYS[5], ARGV[2])
        return moved
        """;

    // XDEL answers 1 only to the first replayer, so a dead letter is re-queued once.
    private const string ReplayScript = """
        if redis.call('XDEL', KEYS[1], ARGV[1]) == 1 then
          return redis.call('XADD', KEYS[2], '*', 'data', ARGV[2])
        end
        return false
        """;

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisQueueOptions _options;
    private readonly ILogger _logger;
    private readonly RedisKey _stream;
    private readonly RedisKey _deadLetters;

    public DeadLetterStore(IConnectionMultiplexer redis, RedisQueueOptions options, ILogger<DeadLetterStore>? logger = null)
        : this(redis, options, (ILogger?)logger ?? NullLogger.Instance)
    {
    }

    /// <summary>The consumer's own store logs under the consumer's category.</summary>
    internal DeadLetterStore(IConnectionMultiplexer redis, RedisQueueOptions options, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _redis = redis;
        _options = options;
        _logger = logger;
        _stream = options.StreamName;
        _deadLetters = options.DeadLetterStream;
    }

    private IDatabase Db => _redis.GetDatabase();

    public async Task<IReadOnlyList<DeadLetter>> ListAsync(int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        var entries = await Db.StreamRangeAsync(_deadLetters, "-", "+", max);
        return entries.Select(e => new DeadLetter(
            e.Id!, e["original_id"].ToString(), e["kind"].ToString(), e["error"].ToString(),
            int.TryParse(e["deliveries"].ToString(), CultureInfo.InvariantCulture, out var n) ? n : 0,
            e["failed_at"].ToString(), Delivery.DataOf(e))).ToArray();
    }

    public async Task<int> ReplayAsync(int max, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max);
        var db = Db;
        var entries = await db.StreamRangeAsync(_deadLetters, "-", "+", max);
        var moved = 0;
        foreach (var entry in entries)
        {
            var data = entry[RedisQueueOptions.DataField];
            var result = await db.ScriptEvaluateAsync(ReplayScript, [_deadLetters, _stream],
                [entry.Id, data.IsNull ? RedisValue.EmptyString : data]);
            if (!result.IsNull)
            {
                moved++;
                ProcessingLog.Replayed(_logger, ChainEventMessage.TryDeserialize(data.IsNull ? null : data.ToString(), out _),
                    entry.Id.ToString(), result.ToString());
            }
        }
        if (moved > 0)
            await db.PublishAsync(_options.WakeChannel, "1");
        return moved;
    }

    /// <summary>
    /// Acknowledges the delivery and moves its message here with <paramref name="kind"/>, <paramref name="error"/> and
    /// its <paramref name="countedFailures"/>, unless it is no longer pending; its failure counts are forgotten.
    /// </summary>
    internal async Task MoveAsync(Delivery delivery, string kind, string error, int countedFailures)
    {
        var moved = await Db.ScriptEvaluateAsync(DeadLetterScript,
            [_stream, _options.ErrorsKey, _deadLetters, _options.FailuresKey, _options.OutcomesKey],
        [
            _options.GroupName, delivery.MessageId, delivery.Data ?? "", Delivery.Truncate(error),
            delivery.DeliveryCount, DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture), kind, countedFailures,
        ]);
        if ((int)moved == 1)
        {
            EchainMetrics.EventsDeadLettered.Add(1, new KeyValuePair<string, object?>("kind", kind));
            ProcessingLog.DeadLettered(_logger, ChainEventMessage.TryDeserialize(delivery.Data, out _), kind, delivery.MessageId,
                countedFailures, error);
        }
    }
}
