using System.Buffers.Text;
using System.Globalization;
using System.Text;
using StackExchange.Redis;

namespace Echain.Core.Reads;

/// <summary>
/// How <see cref="RedisReadCache"/> lays a resource out in Redis (its class remarks say why): one hash per
/// resource with the invalidation counter in <see cref="VersionField"/> and one packed entry per variant,
/// written and invalidated only by the two scripts here.
/// </summary>
internal static class CacheEntryLayout
{
    public const string VersionField = "ver";

    // ARGV: expected ver, field, packed value, key ttl ms. Never shortens the key's TTL (that keeps the hold).
    public const string WriteScript = """
        local current = redis.call('HGET', KEYS[1], 'ver') or '0'
        if current ~= ARGV[1] then return 0 end
        redis.call('HSET', KEYS[1], ARGV[2], ARGV[3])
        if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[4]) then
          redis.call('PEXPIRE', KEYS[1], ARGV[4])
        end
        return 1
        """;

    // ARGV: hold ms. DEL + HSET drops every variant at once; returns the new version.
    public const string InvalidateScript = """
        local next = tonumber(redis.call('HGET', KEYS[1], 'ver') or '0') + 1
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[1], 'ver', next)
        redis.call('PEXPIRE', KEYS[1], ARGV[1])
        return next
        """;

    public static RedisValue DataField(string variant) => "d:" + variant;

    /// <summary><c>"{ver}|{expiresAtUnixMs}|{etag}|"</c> + JSON.</summary>
    public static byte[] Pack(long version, long expiresAtMs, string etag, byte[] json)
    {
        var header = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{version}|{expiresAtMs}|{etag}|"));
        var packed = new byte[header.Length + json.Length];
        header.CopyTo(packed, 0);
        json.CopyTo(packed, header.Length);
        return packed;
    }

    /// <summary>Null when the entry belongs to another version, has expired, or is not in our format (a miss, rewritten by the load).</summary>
    public static CachedJson? Unpack(byte[] packed, long currentVersion)
    {
        var span = packed.AsSpan();
        Span<int> bars = stackalloc int[3];
        var start = 0;
        for (var i = 0; i < 3; i++)
        {
            var at = span[start..].IndexOf((byte)'|');
            if (at < 0)
                return null;
            bars[i] = start + at;
            start = bars[i] + 1;
        }
        if (!Utf8Parser.TryParse(span[..bars[0]], out long version, out var used) || used != bars[0] || version != currentVersion)
            return null;
        var expiresSpan = span[(bars[0] + 1)..bars[1]];
        if (!Utf8Parser.TryParse(expiresSpan, out long expiresAt, out used) || used != expiresSpan.Length
            || expiresAt <= DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())
            return null;
        var etag = Encoding.ASCII.GetString(span[(bars[1] + 1)..bars[2]]);
        return new CachedJson(span[(bars[2] + 1)..].ToArray(), etag, CacheSource.Cache);
    }
}
