namespace Echain.Core.Reads;

/// <summary>Section "Echain:Cache:Redis".</summary>
public sealed record RedisCacheOptions
{
    public const string Section = "Echain:Cache:Redis";

    /// <summary>Prefix of every key: the resource "event:42" lives in "echain:v1:event:42".</summary>
    public string KeyPrefix { get; init; } = "echain:v1:";

    /// <summary>A cache read slower than this counts as Redis down: the request is answered from the store.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>After a failed read, skip Redis for this long (no request pays the timeout while Redis is down).</summary>
    public TimeSpan CircuitBreakDuration { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Bound for invalidations and for writing a loaded value.</summary>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long an invalidated resource's version counter is kept even with no data (see the remarks of
    /// <see cref="RedisReadCache"/>). Loaders that take longer than half of it do not write their result.
    /// </summary>
    public TimeSpan InvalidationHold { get; init; } = TimeSpan.FromMinutes(5);
}

/// <summary>Redis could not confirm an invalidation; the caller must retry (the queue redelivers) before emitting.</summary>
public sealed class CacheUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
