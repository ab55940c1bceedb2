using System.Text.Json;
using StackExchange.Redis;

namespace Echain.Core.Webhooks;

/// <summary>
/// One <c>health.status.updated</c> from CDP: the status of one of its services, as the payload told it.
/// <paramref name="Data"/> is the payload's data object as JSON (at most 2 KB), for the operator.
/// </summary>
public sealed record CdpHealthUpdate(string? EventId, DateTimeOffset? OccurredAt, string Status, string? Service, string Data);

/// <summary>The latest CDP health Echain was told, and when it was told: shown as <c>cdp</c> in GET /api/health.</summary>
public sealed record CdpHealthReport(string Status, string? Service, DateTimeOffset? OccurredAt, DateTimeOffset ReceivedAt, string? EventId);

/// <summary>Where ingest records CDP's health and the health endpoint reads it.</summary>
public interface ICdpHealthStore
{
    /// <summary>Keeps <paramref name="update"/> unless a newer one (by OccurredAt) is kept. Throws <see cref="RedisException"/> when the store is down.</summary>
    Task RecordAsync(CdpHealthUpdate update, DateTimeOffset receivedAt);

    /// <summary>The kept update, or null when none was ever received or the store is down (health says which).</summary>
    Task<CdpHealthReport?> LatestAsync();
}

/// <summary>The latest health in one Redis key (<see cref="Key"/>), written only by a newer update: deliveries arrive in any order.</summary>
public sealed class RedisCdpHealthStore(IConnectionMultiplexer redis) : ICdpHealthStore
{
    public const string Key = "echain:v1:cdp-health";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // ARGV[1] the report, ARGV[2] its OccurredAt in unix ms (or -1 when the payload had none: then it always wins).
    private static readonly LuaScript KeepNewer = LuaScript.Prepare(
        """
        local current = redis.call('HGET', @key, 'at')
        if current and tonumber(@at) >= 0 and tonumber(current) > tonumber(@at) then return 0 end
        redis.call('HSET', @key, 'at', @at, 'report', @report)
        return 1
        """);

    public async Task RecordAsync(CdpHealthUpdate update, DateTimeOffset receivedAt)
    {
        var report = new CdpHealthReport(update.Status, update.Service, update.OccurredAt, receivedAt, update.EventId);
        await redis.GetDatabase().ScriptEvaluateAsync(KeepNewer, new
        {
            key = (RedisKey)Key,
            at = update.OccurredAt?.ToUnixTimeMilliseconds() ?? -1,
            report = JsonSerializer.Serialize(report, Json),
        });
    }

    public async Task<CdpHealthReport?> LatestAsync()
    {
        try
        {
            var report = await redis.GetDatabase().HashGetAsync(Key, "report");
            return report.IsNullOrEmpty ? null : JsonSerializer.Deserialize<CdpHealthReport>(report.ToString(), Json);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return null; // the health report shows Redis down on its own
        }
    }
}
