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
    /// <summary>The one "Echain" meter; the reconciler's instruments (<see cref="Reconciliation.ReconcilerMetrics"/>) are made on it too.</summary>
    internal static readonly Meter Meter = new(MeterName);

    /// <summary>Tag "outcome": accepted, method-not-allowed, too-large, unsupported-media-type, unauthorized, bad-request, queue-unavailable.</summary>
    public static readonly Counter<long> WebhooksReceived = Meter.CreateCounter<long>("echain.webhooks.received");
    public static readonly Counter<long> EventsQueued = Meter.CreateCounter<long>("echain.events.queued");
    /// <summary>
    /// Logs the projector handled. Tag "status": applied (rows changed), already-applied (a redelivery; nothing changed),
    /// rolled-back (a removal undid its applied copy).
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

    // Failures that do not count toward the limit (standalone consumer)
    /// <summary>Deliveries that failed without counting (a dependency down, a conflict) and wait for a retry. Tag "kind": transient, conflict.</summary>
    public static readonly Counter<long> EventsRetriedUncounted = Meter.CreateCounter<long>("echain.events.retried_uncounted");
    /// <summary>The consumer's current pause before it reads again, in seconds: 0 once a delivery succeeds. Tag "consumer".</summary>
    public static readonly Gauge<double> QueueBackoff = Meter.CreateGauge<double>("echain.queue.backoff", unit: "s");

    public static readonly Counter<long> RealtimeMessagesSent = Meter.CreateCounter<long>("echain.realtime.messages");
    /// <summary>Tag "result": hit, miss, fallback (Redis down, answered from Postgres).</summary>
    public static readonly Counter<long> CacheReads = Meter.CreateCounter<long>("echain.cache.reads");
    public static readonly Counter<long> CacheInvalidations = Meter.CreateCounter<long>("echain.cache.invalidations");

    // Service Bus (Azure Functions host)
    /// <summary>Retry copies scheduled after a failure that does not count. Tag "kind": conflict, transient.</summary>
    public static readonly Counter<long> ServiceBusRetriesScheduled = Meter.CreateCounter<long>("echain.servicebus.retries_scheduled");
    /// <summary>Retry copies Service Bus refused to schedule (the delivery answered 500 and was abandoned).</summary>
    public static readonly Counter<long> ServiceBusRetryFailures = Meter.CreateCounter<long>("echain.servicebus.retry_failures");
    /// <summary>Deliveries of a message already over the delivery limit, failed without processing until Service Bus dead-letters it.</summary>
    public static readonly Counter<long> ServiceBusOverLimit = Meter.CreateCounter<long>("echain.servicebus.over_limit");
    /// <summary>Dead letters sent back to the queue by the admin replay route.</summary>
    public static readonly Counter<long> ServiceBusDeadLettersReplayed = Meter.CreateCounter<long>("echain.servicebus.dead_letters_replayed");

    // The chain's nodes
    /// <summary>
    /// One request to one node, in milliseconds. Tags "method" (eth_getLogs, …), "node" (index in
    /// Echain:Chain:RpcUrls, never the URL), "outcome": ok, timeout, rate-limited, range-refused, error, unreachable.
    /// </summary>
    public static readonly Histogram<double> RpcDuration = Meter.CreateHistogram<double>("echain.rpc.duration", unit: "ms");
    /// <summary>Requests a node did not answer with a result. Tags "method", "node", "kind" (the outcomes other than ok).</summary>
    public static readonly Counter<long> RpcErrors = Meter.CreateCounter<long>("echain.rpc.errors");

    // The reconciler
    /// <summary>Final logs no webhook delivered, applied when the reconciler found them (origin Heal).</summary>
    public static readonly Counter<long> ReconcileHealed = Meter.CreateCounter<long>("echain.reconcile.healed");
    /// <summary>Logs from before the webhooks, applied by the history import (origin Import).</summary>
    public static readonly Counter<long> ReconcileImported = Meter.CreateCounter<long>("echain.reconcile.imported");
    /// <summary>Applied logs undone because the chain no longer has them (a removal that rolled back).</summary>
    public static readonly Counter<long> ReconcileRolledBack = Meter.CreateCounter<long>("echain.reconcile.rolled_back");

    // The delivery log (Echain:Deliveries)
    /// <summary>Webhook deliveries written to the delivery log.</summary>
    public static readonly Counter<long> DeliveriesLogged = Meter.CreateCounter<long>("echain.deliveries.logged");
    /// <summary>
    /// Deliveries the log lost. Tag "reason": overflow (the buffer was full while PostgreSQL was slow or down),
    /// unwritable (PostgreSQL refused the row itself), shutdown (still buffered when the host stopped and PostgreSQL was down).
    /// </summary>
    public static readonly Counter<long> DeliveriesDropped = Meter.CreateCounter<long>("echain.deliveries.dropped");
    /// <summary>Delivery log rows deleted past Echain:Deliveries:RetentionDays.</summary>
    public static readonly Counter<long> DeliveriesPruned = Meter.CreateCounter<long>("echain.deliveries.pruned");

    public static void CountDeliveriesDropped(int count, string reason) =>
        DeliveriesDropped.Add(count, new KeyValuePair<string, object?>("reason", reason));
    // Answers during outages
    /// <summary>Requests answered 503 because a dependency failed under them. Tag "route": the endpoint's route pattern.</summary>
    public static readonly Counter<long> RequestsUnavailable = Meter.CreateCounter<long>("echain.http.unavailable");
    /// <summary>Requests answered 500 by the exception handler (a bug: the log has the exception). Tag "route".</summary>
    public static readonly Counter<long> RequestsFailed = Meter.CreateCounter<long>("echain.http.failed");
    /// <summary>Health probes that found a dependency down. Tags "dependency" (postgres, redis), "reason" (a fixed phrase).</summary>
    public static readonly Counter<long> DependencyDown = Meter.CreateCounter<long>("echain.health.down");

    /// <summary>Counts what the reconciler's deliveries changed: a heal or import applied, a removal rolled back.</summary>
    /// <remarks>Tag "network": the chain the log is from.</remarks>
    public static void CountReconciled(ChainEvent chainEvent, ProjectionOutcome outcome)
    {
        var network = new KeyValuePair<string, object?>("network", chainEvent.Network);
        if (outcome.Status == ProjectionStatus.RolledBack) ReconcileRolledBack.Add(1, network);
        else if (outcome.Status == ProjectionStatus.Applied && chainEvent.Origin == ChainEventOrigin.Heal) ReconcileHealed.Add(1, network);
        else if (outcome.Status == ProjectionStatus.Applied && chainEvent.Origin == ChainEventOrigin.Import) ReconcileImported.Add(1, network);
    }

    /// <summary>Counts one event into <see cref="EventsIgnored"/>.</summary>
    // CDP shapes beyond contract logs (issue 12): acknowledged, never refused, so these say what arrived.
    /// <summary>health.status.updated deliveries recorded. Tag "status": the status CDP reported (at most 64 characters).</summary>
    public static readonly Counter<long> CdpHealthUpdates = Meter.CreateCounter<long>("echain.cdp.health_updates");
    /// <summary>Deliveries of a type Echain does not know, acknowledged 202. Tag "type": the payload's type (at most 64 characters).</summary>
    public static readonly Counter<long> WebhooksUnknownType = Meter.CreateCounter<long>("echain.webhooks.unknown_type");

    // Rate limits (issue 14, frontend-and-wallets)
    /// <summary>Requests refused 429 by a rate limit. Tag "policy": reads, negotiate, signin, realtime, webhook.</summary>
    public static readonly Counter<long> RequestsRateLimited = Meter.CreateCounter<long>("echain.http.rate_limited");

    public static void CountCdpHealth(string status) =>
        CdpHealthUpdates.Add(1, new KeyValuePair<string, object?>("status", Tag(status)));

    public static void CountUnknownWebhookType(string? type) =>
        WebhooksUnknownType.Add(1, new KeyValuePair<string, object?>("type", Tag(type ?? "none")));

    /// <summary>A tag value from a payload: bounded, so one sender cannot make one huge time series name.</summary>
    private static string Tag(string value) => value.Length > 64 ? value[..64] : value;

    public static void CountIgnored(string? reason) =>
        EventsIgnored.Add(1, new KeyValuePair<string, object?>("reason", reason));

    /// <summary>Counts what the projector made of one queued log: handled into <see cref="EventsProcessed"/>, ignored into <see cref="EventsIgnored"/>.</summary>
    public static void CountProcessed(ProjectionOutcome outcome)
    {
        if (outcome.Status == ProjectionStatus.Ignored) CountIgnored(outcome.Reason);
        else EventsProcessed.Add(1, new KeyValuePair<string, object?>("status", ProjectionOutcomes.Tag(outcome.Status)));
    }
}
