using System.Diagnostics.Metrics;
using Echain.Core.Chain;
using Echain.Core.Projection;

namespace Echain.Core;

/// <summary>
/// Counters an operator reads at 3 a.m. (meter "Echain"; exported by OpenTelemetry or dotnet-counters).
/// Static because System.Diagnostics.Metrics instruments are process-wide by design.
/// </summary>
public static class EchainMetrics
{
    public const string MeterName = "Echain";
    private static readonly Meter Meter = new(MeterName);

    /// <summary>Tag "outcome": accepted, method-not-allowed, too-large, unsupported-media-type, unauthorized, bad-request, queue-unavailable.</summary>
    public static readonly Counter<long> WebhooksReceived = Meter.CreateCounter<long>("echain.webhooks.received");
    public static readonly Counter<long> EventsQueued = Meter.CreateCounter<long>("echain.events.queued");
    /// <summary>
    /// Logs the projector handled. Tag "status": applied (rows changed), already-applied (a redelivery; nothing changed).
    /// </summary>
    public static readonly Counter<long> EventsProcessed = Meter.CreateCounter<long>("echain.events.processed");
    /// <summary>
    /// Events acknowledged but not projected. Tag "reason": <see cref="IgnoreReasons"/>. Counted where the decision
    /// falls: by ingest (never queued) or, rarely, by the processor (the configuration changed after queueing).
    /// </summary>
    public static readonly Counter<long> EventsIgnored = Meter.CreateCounter<long>("echain.events.ignored");
    /// <summary>Deadlocks/serialization failures retried in place by the processor.</summary>
    public static readonly Counter<long> ProjectionConflicts = Meter.CreateCounter<long>("echain.projection.conflicts");
    public static readonly Counter<long> EventsFailed = Meter.CreateCounter<long>("echain.events.failed");
    public static readonly Counter<long> EventsDeadLettered = Meter.CreateCounter<long>("echain.events.dead_lettered");
    public static readonly Counter<long> RealtimeMessagesSent = Meter.CreateCounter<long>("echain.realtime.messages");
    /// <summary>Tag "result": hit, miss, fallback (Redis down, answered from Postgres).</summary>
    public static readonly Counter<long> CacheReads = Meter.CreateCounter<long>("echain.cache.reads");
    public static readonly Counter<long> CacheInvalidations = Meter.CreateCounter<long>("echain.cache.invalidations");

    // The chain's nodes
    /// <summary>
    /// One request to one node, in milliseconds. Tags "method" (eth_getLogs, …), "node" (index in
    /// Echain:Chain:RpcUrls, never the URL), "outcome": ok, timeout, rate-limited, range-refused, error, unreachable.
    /// </summary>
    public static readonly Histogram<double> RpcDuration = Meter.CreateHistogram<double>("echain.rpc.duration", unit: "ms");
    /// <summary>Requests a node did not answer with a result. Tags "method", "node", "kind" (the outcomes other than ok).</summary>
    public static readonly Counter<long> RpcErrors = Meter.CreateCounter<long>("echain.rpc.errors");

    /// <summary>Counts one event into <see cref="EventsIgnored"/>.</summary>
    public static void CountIgnored(string? reason) =>
        EventsIgnored.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>Counts what the projector made of one queued log: handled into <see cref="EventsProcessed"/>, ignored into <see cref="EventsIgnored"/>.</summary>
    public static void CountProcessed(ProjectionOutcome outcome)
    {
        switch (outcome.Status)
        {
            case ProjectionStatus.Applied: EventsProcessed.Add(1, new KeyValuePair<string, object?>("status", "applied")); break;
            case ProjectionStatus.AlreadyApplied: EventsProcessed.Add(1, new KeyValuePair<string, object?>("status", "already-applied")); break;
            default: CountIgnored(outcome.Reason); break;
        }
    }
}
