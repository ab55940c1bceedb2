using System.Text.Json;

namespace Echain.Core.Reads;

/// <summary>
/// Cache-aside over <see cref="AnalyticsRepository"/>, like <see cref="TicketReads"/>: under the original design's
/// <c>event-analytics:{id}</c> key with its 30-minute TTL, and the wallet's <c>user-analytics:{address}</c> with the same TTL.
/// Every change that moves a figure invalidates its key (ProjectionEffects), so the TTL only bounds how far the hourly
/// window (its end is the hour of the load) can lag the clock while nothing changes.
/// </summary>
public sealed class AnalyticsReads(AnalyticsRepository repository, IReadCache cache)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Null when the event is unknown (404).</summary>
    public Task<CachedJson?> GetEventAnalyticsAsync(TicketedEventId eventId, CancellationToken ct) =>
        cache.GetOrLoadAsync(CacheResources.EventAnalytics(eventId.Value), "", CacheTtl.Analytics,
            async c => await repository.GetEventAnalyticsAsync(eventId.Value, c) is { } view
                ? JsonSerializer.SerializeToUtf8Bytes(view, Json)
                : null, ct);

    public Task<CachedJson?> GetUserAnalyticsAsync(WalletAddress address, CancellationToken ct) =>
        cache.GetOrLoadAsync(CacheResources.UserAnalytics(address.Value), "", CacheTtl.Analytics,
            async c => JsonSerializer.SerializeToUtf8Bytes(await repository.GetUserAnalyticsAsync(address.Value, c), Json), ct);
}
