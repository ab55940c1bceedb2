using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace Echain.Core.Reads;

/// <summary>
/// Cache-aside over Redis with versioned entries.
/// <para>
/// Layout: one hash per resource, key <c>{prefix}{resource}</c>, field <c>ver</c> = invalidation counter
/// (absent = 0) and one field <c>d:{variant}</c> per variant = <c>"{ver}|{expiresAtUnixMs}|{etag}|"</c> + JSON.
/// Read = HMGET ver, d:variant (one round trip, no script). A hit needs the tag to equal <c>ver</c> and
/// the entry not to be expired (per-variant TTL; Redis 7.0 has no per-field expiry).
/// </para>
/// <para>
/// The cache-aside race: a loader remembers the <c>ver</c> it read before loading and writes with a script
/// that stores only if <c>ver</c> is unchanged. Invalidate = script: <c>ver + 1</c>, drop all data fields,
/// keep the key for <see cref="RedisCacheOptions.InvalidationHold"/>. So a loader that read before an
/// invalidation can never store its value afterwards — as long as the counter is not lost in between.
/// It is kept at least InvalidationHold after every invalidation (writes only extend the key's TTL), and a
/// loader whose read→write took longer than half of it does not write. Not covered: Redis evicting the key
/// under memory pressure (run with a maxmemory-policy that does not evict, or with room) or a Redis
/// restart without persistence during a load (both reset the counter).
/// </para>
/// <para>
/// Single flight: one load per (resource, variant, version) per process; a reader that saw a newer version
/// than the running load's never joins it, so nobody is handed a value loaded before an invalidation that
/// completed before the read began.
/// </para>
/// </summary>
public sealed class RedisReadCache : IReadCache
{
    private static readonly KeyValuePair<string, object?> Hit = new("result", "hit");
    private static readonly KeyValuePair<string, object?> Miss = new("result", "miss");
    private static readonly KeyValuePair<string, object?> Fallback = new("result", "fallback");

    private readonly IConnectionMultiplexer _redis;
    private readonly RedisCacheOptions _options;
    private readonly ILogger _logger;
    private readonly SingleFlight _flights = new();
    private long _circuitOpenUntil;

    public RedisReadCache(IConnectionMultiplexer redis, RedisCacheOptions options, ILogger<RedisReadCache>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(redis);
        ArgumentNullException.ThrowIfNull(options);
        if (options.ReadTimeout <= TimeSpan.Zero || options.OperationTimeout <= TimeSpan.Zero
            || options.InvalidationHold <= TimeSpan.Zero || options.CircuitBreakDuration < TimeSpan.Zero)
            throw new ArgumentException("RedisCacheOptions: timeouts must be positive.", nameof(options));
        _redis = redis;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <remarks>The loader runs once for all joined readers, so it gets no caller's token (one caller giving up
    /// must not fail the others); the caller's token only stops its own wait.</remarks>
    public async Task<CachedJson?> GetOrLoadAsync(string resource, string variant, TimeSpan ttl,
        Func<CancellationToken, Task<byte[]?>> load, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(resource);
        ArgumentNullException.ThrowIfNull(variant);
        ArgumentNullException.ThrowIfNull(load);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero);

        if (CircuitOpen)
            return await LoadWithoutCacheAsync(load, cancellationToken);

        var key = (RedisKey)(_options.KeyPrefix + resource);
        var field = CacheEntryLayout.DataField(variant);
        Probe probe;
        try
        {
            probe = await ProbeAsync(key, field, cancellationToken);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            TripCircuit(ex);
            return await LoadWithoutCacheAsync(load, cancellationToken);
        }
        if (probe.Cached is not null)
        {
            EchainMetrics.CacheReads.Add(1, Hit);
            return probe.Cached;
        }

        EchainMetrics.CacheReads.Add(1, Miss);
        var flightKey = _options.KeyPrefix + resource + "\n" + variant;
        return await _flights.RunAsync(flightKey, probe.Version, () => LoadAndStoreAsync(key, field, ttl, load), cancellationToken);
    }

    public async Task InvalidateAsync(IReadOnlyCollection<string> resources, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resources);
        if (resources.Count == 0)
            return;
        var db = _redis.GetDatabase();
        var holdMs = (long)_options.InvalidationHold.TotalMilliseconds;
        // One script per key (cluster-safe), all pipelined: one round trip in practice.
        var scripts = resources.Distinct(StringComparer.Ordinal)
            .Select(resource => db.ScriptEvaluateAsync(CacheEntryLayout.InvalidateScript, [(RedisKey)(_options.KeyPrefix + resource)], [holdMs]))
            .ToArray();
        try
        {
            await Task.WhenAll(scripts).WaitAsync(_options.OperationTimeout, cancellationToken);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            throw new CacheUnavailableException(
                $"Redis did not confirm the invalidation of {string.Join(", ", resources)}: {ex.Message}", ex);
        }
        EchainMetrics.CacheInvalidations.Add(scripts.Length);
    }

    private bool CircuitOpen => Environment.TickCount64 < Interlocked.Read(ref _circuitOpenUntil);

    private void TripCircuit(Exception ex)
    {
        var until = Environment.TickCount64 + (long)_options.CircuitBreakDuration.TotalMilliseconds;
        if (Interlocked.Exchange(ref _circuitOpenUntil, until) < Environment.TickCount64)
            _logger.LogWarning(ex, "Redis cache unavailable; reading from the store for {Duration}", _options.CircuitBreakDuration);
    }

    private static bool IsRedisFailure(Exception ex) => ex is RedisException or TimeoutException;

    private async Task<CachedJson?> LoadWithoutCacheAsync(Func<CancellationToken, Task<byte[]?>> load, CancellationToken cancellationToken)
    {
        // No single flight here on purpose: a shared load could have started before an invalidation that
        // another instance completed while this one could not see Redis.
        EchainMetrics.CacheReads.Add(1, Fallback);
        var json = await load(cancellationToken);
        return json is null ? null : new CachedJson(json, CachedJson.ETagOf(json), CacheSource.LoadedCacheDown);
    }

    private async Task<Probe> ProbeAsync(RedisKey key, RedisValue field, CancellationToken cancellationToken)
    {
        if (!_redis.IsConnected)
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "Redis is not connected.");
        var values = await _redis.GetDatabase().HashGetAsync(key, [CacheEntryLayout.VersionField, field])
            .WaitAsync(_options.ReadTimeout, cancellationToken);
        var version = values[0].IsNull ? 0L : (long)values[0];
        var cached = values[1].IsNull ? null : CacheEntryLayout.Unpack((byte[])values[1]!, version);
        return new Probe(version, cached);
    }

    private async Task<CachedJson?> LoadAndStoreAsync(RedisKey key, RedisValue field, TimeSpan ttl,
        Func<CancellationToken, Task<byte[]?>> load)
    {
        // Read again inside the flight: a load that finished just before this flight was registered has
        // already stored the value, and the version we write against must be read before loading.
        var sinceVersionRead = Stopwatch.StartNew();
        Probe probe;
        try
        {
            probe = await ProbeAsync(key, field, CancellationToken.None);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            TripCircuit(ex);
            var loaded = await load(CancellationToken.None); // counted as a miss already, not as a fallback
            return loaded is null ? null : new CachedJson(loaded, CachedJson.ETagOf(loaded), CacheSource.LoadedCacheDown);
        }
        if (probe.Cached is not null)
            return probe.Cached;

        var json = await load(CancellationToken.None);
        if (json is null)
            return null; // "does not exist" is not cached: the creating event invalidates nothing that exists
        var etag = CachedJson.ETagOf(json);
        if (sinceVersionRead.Elapsed < _options.InvalidationHold / 2)
            await StoreAsync(key, field, probe.Version, ttl, json, etag);
        else
            _logger.LogWarning("Load of {Key} took {Elapsed}; not cached (beyond the invalidation hold bound)", key, sinceVersionRead.Elapsed);
        return new CachedJson(json, etag, CacheSource.Loaded);
    }

    private async Task StoreAsync(RedisKey key, RedisValue field, long version, TimeSpan ttl, byte[] json, string etag)
    {
        var expiresAt = DateTimeOffset.UtcNow.Add(ttl).ToUnixTimeMilliseconds();
        var ttlMs = (long)Math.Ceiling(ttl.TotalMilliseconds);
        try
        {
            var stored = await _redis.GetDatabase()
                .ScriptEvaluateAsync(CacheEntryLayout.WriteScript, [key], [version, field, CacheEntryLayout.Pack(version, expiresAt, etag, json), ttlMs])
                .WaitAsync(_options.OperationTimeout);
            if ((int)stored == 0)
                _logger.LogDebug("{Key} was invalidated during its load; the loaded value is served once, not cached", key);
        }
        catch (Exception ex) when (IsRedisFailure(ex))
        {
            // The value is fresh and still answers this request; only caching it failed.
            TripCircuit(ex);
        }
    }

    private readonly record struct Probe(long Version, CachedJson? Cached);
}
