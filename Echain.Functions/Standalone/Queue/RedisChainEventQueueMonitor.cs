using Echain.Core.Queue;
using StackExchange.Redis;

namespace Echain.Functions.Standalone.Queue;

/// <summary>
/// The standalone queue's depth for /api/health and the queue gauges: the stream, its consumer group's pending list, the
/// dead letters, and the oldest message's age (acknowledged entries are deleted, so the stream's first entry is the oldest
/// one not yet acknowledged; its id is the time it was added).
/// </summary>
public sealed class RedisChainEventQueueMonitor : IChainEventQueueMonitor
{
    private readonly IConnectionMultiplexer _redis;
    private readonly RedisQueueOptions _options;

    public RedisChainEventQueueMonitor(IConnectionMultiplexer redis, RedisQueueOptions options)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _redis = redis;
        _options = options;
    }

    public async Task<ChainEventQueueStats> GetStatsAsync()
    {
        var db = _redis.GetDatabase();
        var length = db.StreamLengthAsync(_options.StreamName);
        var dead = db.StreamLengthAsync(_options.DeadLetterStream);
        var oldest = db.StreamRangeAsync(_options.StreamName, "-", "+", count: 1);
        long pending;
        try
        {
            pending = (await db.StreamPendingAsync(_options.StreamName, _options.GroupName)).PendingMessageCount;
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            pending = 0; // no consumer has started yet: nothing can be pending
        }
        var first = await oldest;
        return new ChainEventQueueStats(await length, pending, await dead, first.Length == 0 ? null : AgeOf(first[0].Id));
    }

    /// <summary>"{milliseconds}-{sequence}": the age of the entry since Redis added it (null for an id of another form).</summary>
    internal static TimeSpan? AgeOf(RedisValue id)
    {
        var text = id.ToString();
        var dash = text.IndexOf('-');
        return dash > 0 && long.TryParse(text.AsSpan(0, dash), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;
    }
}
