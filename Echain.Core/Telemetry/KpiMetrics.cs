using System.Diagnostics.Metrics;

namespace Echain.Core.Telemetry;

/// <summary>
/// The instruments behind the key figures an operator is paged on (<see cref="Kpis"/>), in the "Echain" meter beside
/// <see cref="EchainMetrics"/>' counters. Latencies are histograms in milliseconds; the gauges read what the host's
/// sampler and the processor last saw (process-wide, like the meter: one host per process outside the tests).
/// </summary>
public static class KpiMetrics
{
    private static readonly Meter Meter = EchainMetrics.Meter;

    /// <summary>Milliseconds, fine where the thresholds are (100 ms, 500 ms, 5 s) and wide enough for an outage.</summary>
    private static readonly InstrumentAdvice<double> Milliseconds = new()
    {
        HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000],
    };

    /// <summary>Webhook processing: the delivery received → its answer (202 or the problem). Tag "outcome" as <see cref="EchainMetrics.WebhooksReceived"/>.</summary>
    public static readonly Histogram<double> WebhookDuration = Meter.CreateHistogram("echain.webhook.duration", "ms",
        "Webhook processing time, received to answered (the original design's threshold: 500 ms).", advice: Milliseconds);

    /// <summary>A webhook's log: received → its projection committed (redeliveries and reconciler logs are not counted).</summary>
    public static readonly Histogram<double> WebhookToApplied = Meter.CreateHistogram("echain.webhook.to_applied", "ms",
        "Webhook received to its log's projection committed.", advice: Milliseconds);

    /// <summary>Realtime latency. Tag "from": commit (projection committed → messages sent) or webhook (received → sent).</summary>
    public static readonly Histogram<double> RealtimeLatency = Meter.CreateHistogram("echain.realtime.latency", "ms",
        "Realtime latency to the send, from the commit or from the webhook's arrival.", advice: Milliseconds);

    /// <summary>Read routes' answers, request to response. Tag "route": the endpoint's route pattern.</summary>
    public static readonly Histogram<double> ReadDuration = Meter.CreateHistogram("echain.read.duration", "ms",
        "Query response time per read route (the original design's threshold: 100 ms).", advice: Milliseconds);

    /// <summary>One log's projection transaction (retries of a conflict included). Tag "status": applied, already-applied, rolled-back, ignored.</summary>
    public static readonly Histogram<double> ProjectionDuration = Meter.CreateHistogram("echain.projection.duration", "ms",
        "One log's projection transaction.", advice: Milliseconds);

    /// <summary>Realtime connections open on this instance (the standalone hub; SignalR Service counts its own on Azure).</summary>
    public static readonly UpDownCounter<long> RealtimeConnections = Meter.CreateUpDownCounter<long>("echain.realtime.connections",
        "{connection}", "Concurrent realtime connections (the original design's threshold: 10,000, scale up).");

    private static long _queueLength = -1, _queuePending = -1, _deadLetters = -1;
    private static double _oldestAgeSeconds, _lastFreshnessSeconds;
    private static long _lastAcceptedWebhookTicks;

    static KpiMetrics()
    {
        Meter.CreateObservableGauge("echain.queue.length", () => Interlocked.Read(ref _queueLength), "{message}",
            "Messages waiting in chain-events, not yet delivered (-1 until the host has sampled the queue).");
        Meter.CreateObservableGauge("echain.queue.pending", () => Interlocked.Read(ref _queuePending), "{message}",
            "Messages delivered to a consumer and not yet acknowledged.");
        Meter.CreateObservableGauge("echain.queue.oldest_age", () => Volatile.Read(ref _oldestAgeSeconds), "s",
            "Age of the oldest message not yet acknowledged (0 when the queue is empty).");
        Meter.CreateObservableGauge("echain.queue.dead_letters", () => Interlocked.Read(ref _deadLetters), "{message}",
            "Dead letters held (any is an alert: a log that can never apply).");
        Meter.CreateObservableGauge("echain.projector.lag", ProjectorLagSeconds, "s",
            "How far the projection is behind the chain: block time to commit of the last webhook log applied, or the oldest waiting message's age when that is greater.");
        Meter.CreateObservableGauge("echain.webhooks.last_accepted_age", LastAcceptedAgeSeconds, "s",
            "Seconds since a webhook delivery was last accepted (-1 before the first).");
    }

    /// <summary>The host's sampler: what the queue holds now.</summary>
    public static void RecordQueue(long length, long pending, long deadLetters, TimeSpan? oldestAge)
    {
        Interlocked.Exchange(ref _queueLength, length);
        Interlocked.Exchange(ref _queuePending, pending);
        Interlocked.Exchange(ref _deadLetters, deadLetters);
        Volatile.Write(ref _oldestAgeSeconds, Math.Max(0, oldestAge?.TotalSeconds ?? 0));
    }

    /// <summary>A webhook's log committed at <paramref name="committedAt"/>; its block was made at <paramref name="blockTime"/>.</summary>
    public static void RecordFreshness(DateTimeOffset blockTime, DateTimeOffset committedAt) =>
        Volatile.Write(ref _lastFreshnessSeconds, Math.Max(0, (committedAt - blockTime).TotalSeconds));

    public static void RecordWebhookAccepted(DateTimeOffset at) => Interlocked.Exchange(ref _lastAcceptedWebhookTicks, at.UtcTicks);

    /// <summary>The projector lag as the gauge reports it (also what the operator page shows).</summary>
    public static double ProjectorLagSeconds() => Math.Max(Volatile.Read(ref _lastFreshnessSeconds), Volatile.Read(ref _oldestAgeSeconds));

    public static double LastAcceptedAgeSeconds()
    {
        var ticks = Interlocked.Read(ref _lastAcceptedWebhookTicks);
        return ticks == 0 ? -1 : (DateTimeOffset.UtcNow - new DateTimeOffset(ticks, TimeSpan.Zero)).TotalSeconds;
    }
}
