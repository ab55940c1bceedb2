using Echain.Core.Queue;
using StackExchange.Redis;

namespace Echain.Functions.Standalone.Queue;

/// <summary>The standalone queue's depth for /api/health: the stream, its consumer group's pending list, the dead letters.</summary>
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
        long pending;
        try
        {
            pending = (await db.StreamPendingAsync(_options.StreamName, _options.GroupName)).PendingMessageCount;
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
        {
            pending = 0; // no consumer has started yet: nothing can be pending
        }
        return new ChainEventQueueStats(await length, pending, await dead);
    }
}
