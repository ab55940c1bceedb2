using System.Diagnostics.Metrics;

namespace Echain.Core;

/// <summary>
/// Counters an operator reads at 3 a.m. (meter "Echain"; exported by OpenTelemetry or dotnet-counters).
/// Static because System.Diagnostics.Metrics instruments are process-wide by design.
/// </summary>
public static class EchainMetrics
{
    public const string MeterName = "Echain";
    private static readonly Meter Meter = new(MeterName);

    /// <summary>Tag "outcome": accepted, unauthorized, bad-request, too-large, unsupported-media-type, queue-unavailable.</summary>
    public static readonly Counter<long> WebhooksReceived = Meter.CreateCounter<long>("echain.webhooks.received");
    public static readonly Counter<long> EventsQueued = Meter.CreateCounter<long>("echain.events.queued");
    /// <summary>Tag "status": applied, already-applied, ignored; tag "reason" for ignored.</summary>
    public static readonly Counter<long> EventsProcessed = Meter.CreateCounter<long>("echain.events.processed");
    /// <summary>Deadlocks/serialization failures retried in place by the processor.</summary>
    public static readonly Counter<long> ProjectionConflicts = Meter.CreateCounter<long>("echain.projection.conflicts");
    public static readonly Counter<long> EventsFailed = Meter.CreateCounter<long>("echain.events.failed");
    public static readonly Counter<long> EventsDeadLettered = Meter.CreateCounter<long>("echain.events.dead_lettered");
    public static readonly Counter<long> RealtimeMessagesSent = Meter.CreateCounter<long>("echain.realtime.messages");
    /// <summary>Tag "result": hit, miss, fallback (Redis down, answered from Postgres).</summary>
    public static readonly Counter<long> CacheReads = Meter.CreateCounter<long>("echain.cache.reads");
    public static readonly Counter<long> CacheInvalidations = Meter.CreateCounter<long>("echain.cache.invalidations");
}
