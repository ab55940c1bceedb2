namespace Echain.Core.Telemetry;

/// <summary>Whether a figure is bad above its threshold (latency, failures) or below it (the cache's hit rate).</summary>
public enum KpiDirection
{
    AlertAbove,
    AlertBelow,
}

/// <param name="Id">stable, kebab-case: the alert rule's name suffix in infra/, the operator page's key.</param>
/// <param name="Metrics">the instruments it is computed from (OpenTelemetry names; Prometheus replaces dots by underscores).</param>
/// <param name="Threshold">the alert's default, in <paramref name="Unit"/>.</param>
/// <param name="Action">what the original design (or Echain, for its own) says to do when it fires.</param>
public sealed record Kpi(string Id, string Title, IReadOnlyList<string> Metrics, string Unit, double Threshold,
    KpiDirection Direction, string Action, bool FromOriginalDesign)
{
    /// <summary>Amber starts at 80 % of the way to the threshold (above) or within 5 points of it (below); red beyond it.</summary>
    public KpiState StateOf(double value) => Direction == KpiDirection.AlertAbove
        ? value > Threshold ? KpiState.Red : Threshold > 0 && value >= 0.8 * Threshold ? KpiState.Amber : KpiState.Green
        : value < Threshold ? KpiState.Red : value < Threshold + 5 ? KpiState.Amber : KpiState.Green;
}

public enum KpiState
{
    Green,
    Amber,
    Red,
}

/// <summary>
/// The figures Echain is paged on, each with its default threshold: the original design's five, then Echain's own.
/// The alert rules in infra/ (the tests compare them), the operator page and the README's "Operating Echain" follow this list.
/// </summary>
public static class Kpis
{
    public static readonly Kpi WebhookProcessingTime = new("webhook-processing-time", "Webhook processing time",
        ["echain.webhook.duration"], "ms", 500, KpiDirection.AlertAbove, "Warning", FromOriginalDesign: true);

    public static readonly Kpi RealtimeConnections = new("realtime-connections", "Realtime connections",
        ["echain.realtime.connections"], "connections", 10_000, KpiDirection.AlertAbove, "Scale up", FromOriginalDesign: true);

    public static readonly Kpi CacheHitRate = new("cache-hit-rate", "Cache hit rate",
        ["echain.cache.reads"], "%", 90, KpiDirection.AlertBelow, "Optimize queries", FromOriginalDesign: true);

    public static readonly Kpi QueryResponseTime = new("query-response-time", "Query response time",
        ["echain.read.duration"], "ms", 100, KpiDirection.AlertAbove, "Investigate indexing", FromOriginalDesign: true);

    public static readonly Kpi WebhookFailureRate = new("webhook-failure-rate", "Webhook failure rate",
        ["echain.webhooks.received"], "%", 1, KpiDirection.AlertAbove, "Check webhook configuration", FromOriginalDesign: true);

    public static readonly Kpi DeadLetters = new("dead-letters", "Dead letters",
        ["echain.queue.dead_letters", "echain.events.dead_lettered"], "messages", 0, KpiDirection.AlertAbove,
        "Read the reason, fix, replay", FromOriginalDesign: false);

    public static readonly Kpi ProjectorLag = new("projector-lag", "Projector lag",
        ["echain.projector.lag"], "s", 5, KpiDirection.AlertAbove, "Check the queue and PostgreSQL", FromOriginalDesign: false);

    public static readonly Kpi WebhooksSilent = new("webhooks-silent", "No webhook while the chain has new logs",
        ["echain.webhooks.last_accepted_age", "echain.reconcile.healed"], "min", 15, KpiDirection.AlertAbove,
        "Check the CDP subscription", FromOriginalDesign: false);

    public static readonly Kpi CdpUnhealthy = new("cdp-unhealthy", "CDP reports unhealthy",
        ["echain.cdp.health_updates"], "updates", 0, KpiDirection.AlertAbove, "Check CDP's status", FromOriginalDesign: false);

    public static readonly IReadOnlyList<Kpi> All =
    [
        WebhookProcessingTime, RealtimeConnections, CacheHitRate, QueryResponseTime, WebhookFailureRate,
        DeadLetters, ProjectorLag, WebhooksSilent, CdpUnhealthy,
    ];
}
