using System.Security.Cryptography;

namespace Echain.Core.Reads;

/// <summary>A cached JSON document with its strong ETag (quoted, as sent in the header).</summary>
public sealed record CachedJson(byte[] Utf8Json, string ETag, CacheSource Source)
{
    /// <summary>Strong ETag: SHA-256 of the exact bytes served, quoted as the header wants it.</summary>
    internal static string ETagOf(byte[] json) => "\"" + Convert.ToHexStringLower(SHA256.HashData(json)) + "\"";
}

public enum CacheSource { Cache, Loaded, LoadedCacheDown }

/// <summary>
/// Cache-aside over the read store. Guarantee (docs/architecture.md, "The order: commit, invalidate, emit"): once <see cref="InvalidateAsync"/> has
/// returned, no read can return a value loaded before that call — including a slow loader that
/// started earlier and writes its old value afterwards. One loader per key at a time in a process.
/// Redis down: loads straight from the store and says so in <see cref="CacheSource"/>.
/// </summary>
public interface IReadCache
{
    /// <param name="resource">e.g. "event:42" (see <see cref="CacheResources"/>).</param>
    /// <param name="variant">distinguishes entries of one resource (a page cursor+limit); "" for none.</param>
    /// <param name="load">returns UTF-8 JSON, or null when the resource does not exist (not cached).</param>
    Task<CachedJson?> GetOrLoadAsync(string resource, string variant, TimeSpan ttl,
        Func<CancellationToken, Task<byte[]?>> load, CancellationToken cancellationToken);

    /// <summary>Throws when Redis cannot be reached: the caller must retry (the queue redelivers).</summary>
    Task InvalidateAsync(IReadOnlyCollection<string> resources, CancellationToken cancellationToken);
}
