namespace Echain.Core.Reads;

/// <summary>
/// Every read straight from PostgreSQL: the benchmark's baseline for what the cache buys
/// (Echain:Cache:Enabled=false). Nothing to invalidate.
/// </summary>
public sealed class UncachedReads : IReadCache
{
    public async Task<CachedJson?> GetOrLoadAsync(string resource, string variant, TimeSpan ttl,
        Func<CancellationToken, Task<byte[]?>> load, CancellationToken cancellationToken)
    {
        var json = await load(cancellationToken);
        return json is null ? null : new CachedJson(json, CachedJson.ETagOf(json), CacheSource.Loaded);
    }

    public Task InvalidateAsync(IReadOnlyCollection<string> resources, CancellationToken cancellationToken) => Task.CompletedTask;
}
