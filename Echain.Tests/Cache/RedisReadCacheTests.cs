using System.Diagnostics.Metrics;
using System.Text;
using Echain.Core;
using Echain.Core.Reads;
using Echain.Tests.Infrastructure;
using StackExchange.Redis;

namespace Echain.Tests.Cache;

public sealed class RedisReadCacheTests(RedisServer server) : IClassFixture<RedisServer>, IDisposable
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);
    private readonly ConnectionMultiplexer _redis = server.Connect();

    public void Dispose() => _redis.Dispose();

    private RedisReadCache NewCache() => new(_redis, new RedisCacheOptions());

    /// <summary>Unique per test: tests of one class share one server.</summary>
    private static string Resource() => CacheResources.Event(Guid.NewGuid().ToString("N"));

    private static byte[] Json(string text) => Encoding.UTF8.GetBytes(text);

    [Fact]
    public async Task A_miss_loads_and_stores_then_the_next_read_is_a_hit()
    {
        var cache = NewCache();
        var resource = Resource();
        var loads = 0;
        Task<byte[]?> Load(CancellationToken _)
        {
            Interlocked.Increment(ref loads);
            return Task.FromResult<byte[]?>(Json("""{"eventId":"42","title":"Launch"}"""));
        }

        var first = await cache.GetOrLoadAsync(resource, "", Ttl, Load, default);
        var second = await cache.GetOrLoadAsync(resource, "", Ttl, Load, default);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Equal(CacheSource.Loaded, first.Source);
        Assert.Equal(CacheSource.Cache, second.Source);
        Assert.Equal(first.Utf8Json, second.Utf8Json);
        Assert.Equal(first.ETag, second.ETag);
        Assert.Matches("^\"[0-9a-f]{64}\"$", first.ETag);
        Assert.Equal(1, loads);
        Assert.True(await _redis.GetDatabase().KeyExistsAsync("echain:v1:" + resource));
    }

    [Fact]
    public async Task Fifty_concurrent_readers_of_a_missing_entry_cause_one_load()
    {
        var cache = NewCache();
        var resource = Resource();
        var loads = 0;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        async Task<byte[]?> Load(CancellationToken _)
        {
            Interlocked.Increment(ref loads);
            await release.Task;
            return Json("""{"items":[]}""");
        }

        var readers = Enumerable.Range(0, 50)
            .Select(_ => Task.Run(() => cache.GetOrLoadAsync(resource, "limit=20", Ttl, Load, default)))
            .ToArray();
        await Eventually.TrueAsync(() => Volatile.Read(ref loads) > 0, "the load started");
        release.SetResult();
        var results = await Task.WhenAll(readers);

        Assert.Equal(1, loads);
        Assert.All(results, r => Assert.Equal("""{"items":[]}""", Encoding.UTF8.GetString(r!.Utf8Json)));
    }

    [Fact]
    public async Task After_invalidation_the_next_read_loads_again_for_every_variant()
    {
        var cache = NewCache();
        var resource = Resource();
        var version = "old";
        var loads = 0;
        Task<byte[]?> Load(CancellationToken _)
        {
            Interlocked.Increment(ref loads);
            return Task.FromResult<byte[]?>(Json($$"""{"v":"{{version}}"}"""));
        }

        await cache.GetOrLoadAsync(resource, "a", Ttl, Load, default);
        await cache.GetOrLoadAsync(resource, "b", Ttl, Load, default);
        Assert.Equal(CacheSource.Cache, (await cache.GetOrLoadAsync(resource, "a", Ttl, Load, default))!.Source);

        version = "new";
        await cache.InvalidateAsync([resource, Resource()], default);

        var a = await cache.GetOrLoadAsync(resource, "a", Ttl, Load, default);
        var b = await cache.GetOrLoadAsync(resource, "b", Ttl, Load, default);
        Assert.Equal(CacheSource.Loaded, a!.Source);
        Assert.Equal(CacheSource.Loaded, b!.Source);
        Assert.Equal("""{"v":"new"}""", Encoding.UTF8.GetString(a.Utf8Json));
        Assert.Equal(4, loads);
        Assert.Equal(CacheSource.Cache, (await cache.GetOrLoadAsync(resource, "a", Ttl, Load, default))!.Source);
    }

    [Theory]
    [InlineData(false)] // nothing cached yet: the key does not even exist when the slow load reads
    [InlineData(true)] // the key already holds a version counter from an earlier invalidation
    public async Task A_slow_load_that_read_before_an_invalidation_never_serves_its_old_value_afterwards(bool invalidatedBefore)
    {
        var cache = NewCache();
        var resource = Resource();
        if (invalidatedBefore)
            await cache.InvalidateAsync([resource], default);

        var (slowRead, releaseSlow) = await StartSlowOldLoadAsync(cache, resource);

        await cache.InvalidateAsync([resource], default);

        // A read that starts after the invalidation returned must not join the slow load...
        var newLoads = 0;
        Task<byte[]?> LoadNew(CancellationToken _)
        {
            Interlocked.Increment(ref newLoads);
            return Task.FromResult<byte[]?>(Json("""{"owner":"new"}"""));
        }
        var duringSlow = await cache.GetOrLoadAsync(resource, "", Ttl, LoadNew, default);
        Assert.Equal("""{"owner":"new"}""", Encoding.UTF8.GetString(duringSlow!.Utf8Json));

        // ...and when the slow load finishes it must not overwrite the cache with its old value.
        releaseSlow.SetResult();
        var slow = await slowRead;
        Assert.Equal("""{"owner":"old"}""", Encoding.UTF8.GetString(slow!.Utf8Json)); // overlapped the invalidation: allowed

        var after = await cache.GetOrLoadAsync(resource, "", Ttl, LoadNew, default);
        Assert.Equal("""{"owner":"new"}""", Encoding.UTF8.GetString(after!.Utf8Json));
        Assert.Equal(CacheSource.Cache, after.Source);
        Assert.Equal(1, newLoads);
    }

    [Fact]
    public async Task A_slow_load_released_before_anyone_reads_again_still_cannot_store_its_old_value()
    {
        var cache = NewCache();
        var resource = Resource();
        var (slowRead, releaseSlow) = await StartSlowOldLoadAsync(cache, resource);
        await cache.InvalidateAsync([resource], default);
        releaseSlow.SetResult();
        await slowRead;

        var after = await cache.GetOrLoadAsync(resource, "", Ttl,
            _ => Task.FromResult<byte[]?>(Json("""{"owner":"new"}""")), default);
        Assert.Equal("""{"owner":"new"}""", Encoding.UTF8.GetString(after!.Utf8Json));
        Assert.Equal(CacheSource.Loaded, after.Source);
    }

    [Fact]
    public async Task Another_instance_invalidating_is_seen_by_this_one()
    {
        using var otherConnection = server.Connect();
        var here = NewCache();
        var there = new RedisReadCache(otherConnection, new RedisCacheOptions());
        var resource = Resource();
        await here.GetOrLoadAsync(resource, "", Ttl, _ => Task.FromResult<byte[]?>(Json("1")), default);
        await there.InvalidateAsync([resource], default);
        var read = await here.GetOrLoadAsync(resource, "", Ttl, _ => Task.FromResult<byte[]?>(Json("2")), default);
        Assert.Equal("2", Encoding.UTF8.GetString(read!.Utf8Json));
    }

    [Fact]
    public async Task Not_found_is_not_cached_and_an_expired_entry_is_loaded_again()
    {
        var cache = NewCache();
        var resource = Resource();
        var loads = 0;
        Task<byte[]?> Missing(CancellationToken _)
        {
            Interlocked.Increment(ref loads);
            return Task.FromResult<byte[]?>(null);
        }
        Assert.Null(await cache.GetOrLoadAsync(resource, "", Ttl, Missing, default));
        Assert.Null(await cache.GetOrLoadAsync(resource, "", Ttl, Missing, default));
        Assert.Equal(2, loads);

        var shortTtl = TimeSpan.FromMilliseconds(100);
        var first = await cache.GetOrLoadAsync(resource, "", shortTtl, _ => Task.FromResult<byte[]?>(Json("1")), default);
        Assert.Equal(CacheSource.Loaded, first!.Source);
        await Task.Delay(300);
        var again = await cache.GetOrLoadAsync(resource, "", shortTtl, _ => Task.FromResult<byte[]?>(Json("2")), default);
        Assert.Equal(CacheSource.Loaded, again!.Source);
        Assert.Equal("2", Encoding.UTF8.GetString(again.Utf8Json));
    }

    /// <summary>A read whose load has started and is held until released; it then returns the old value.</summary>
    private static async Task<(Task<CachedJson?> Read, TaskCompletionSource Release)> StartSlowOldLoadAsync(RedisReadCache cache, string resource)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var read = cache.GetOrLoadAsync(resource, "", Ttl, async _ =>
        {
            started.SetResult();
            await release.Task;
            return Json("""{"owner":"old"}""");
        }, default);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        return (read, release);
    }
}

public sealed class RedisReadCacheOutageTests(RedisServer server) : IClassFixture<RedisServer>, IDisposable
{
    private static readonly TimeSpan Ttl = TimeSpan.FromMinutes(5);
    private readonly ConnectionMultiplexer _redis = server.Connect();

    public void Dispose()
    {
        _redis.Dispose();
        server.Start(); // leave the fixture running whatever happened
    }

    [Fact]
    public async Task Reads_fall_back_to_the_store_while_Redis_is_down_and_invalidation_throws()
    {
        var cache = new RedisReadCache(_redis, new RedisCacheOptions { CircuitBreakDuration = TimeSpan.FromMilliseconds(200) });
        var resource = CacheResources.EventTickets("7");
        var fallbacks = 0L;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EchainMetrics.MeterName && instrument.Name == "echain.cache.reads")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag is { Key: "result", Value: "fallback" })
                    Interlocked.Add(ref fallbacks, value);
            }
        });
        listener.Start();

        var stored = "cached";
        Task<byte[]?> Load(CancellationToken _) => Task.FromResult<byte[]?>(Encoding.UTF8.GetBytes(stored));
        await cache.GetOrLoadAsync(resource, "", Ttl, Load, default);
        Assert.Equal(CacheSource.Cache, (await cache.GetOrLoadAsync(resource, "", Ttl, Load, default))!.Source);

        server.Stop();
        stored = "from-postgres";
        for (var i = 0; i < 5; i++)
        {
            var read = await cache.GetOrLoadAsync(resource, "", Ttl, Load, default);
            Assert.Equal(CacheSource.LoadedCacheDown, read!.Source);
            Assert.Equal("from-postgres", Encoding.UTF8.GetString(read.Utf8Json));
        }
        Assert.True(Interlocked.Read(ref fallbacks) >= 5);
        await Assert.ThrowsAsync<CacheUnavailableException>(() => cache.InvalidateAsync([resource], default));

        server.Start();
        await Eventually.TrueAsync(async () =>
            (await cache.GetOrLoadAsync(resource, "", Ttl, Load, default))!.Source == CacheSource.Cache,
            "reads are served from Redis again");
    }
}
