using Echain.Core.Telemetry;

namespace Echain.Functions.Shared.Operations;

/// <summary>One KPI's value over one interval (null: nothing was measured).</summary>
public sealed record KpiSample(DateTimeOffset At, double? Value);

/// <summary>
/// The last <see cref="Length"/> of the app's own metrics at the reader's resolution: per KPI of <see cref="Kpis.All"/>
/// its value per interval, computed when the interval is exported (<see cref="OperatorMetricsExporter"/>).
/// </summary>
public sealed class OperatorMetricsWindow
{
    public static readonly TimeSpan Resolution = TimeSpan.FromSeconds(10);
    public static readonly TimeSpan Length = TimeSpan.FromMinutes(15);
    private const double HistogramQuantile = 0.95;

    private readonly Lock _gate = new();
    private readonly Queue<(DateTimeOffset At, double?[] Values, double Healed)> _intervals = new();

    public void Add(MetricInterval interval)
    {
        lock (_gate)
        {
            var healedInWindow = _intervals.Where(i => i.At > interval.At - Length).Sum(i => i.Healed)
                + (interval.Sum("echain.reconcile.healed") ?? 0);
            var since = _intervals.Count > 0 ? interval.At - _intervals.Peek().At : TimeSpan.Zero;
            var values = Kpis.All.Select(kpi => ValueOf(kpi, interval, healedInWindow, since)).ToArray();
            _intervals.Enqueue((interval.At, values, interval.Sum("echain.reconcile.healed") ?? 0));
            // Forced flushes add intervals shorter than the resolution: the bound is by time, and a count cap for safety.
            while (_intervals.Count > 0 && (_intervals.Peek().At <= interval.At - Length || _intervals.Count > 4 * Length / Resolution))
                _intervals.Dequeue();
        }
    }

    /// <summary>Each KPI's samples, oldest first, in <see cref="Kpis.All"/>' order.</summary>
    public IReadOnlyList<(Kpi Kpi, IReadOnlyList<KpiSample> Series)> Snapshot()
    {
        lock (_gate)
            return Kpis.All.Select((kpi, index) => (kpi,
                (IReadOnlyList<KpiSample>)_intervals.Select(i => new KpiSample(i.At, i.Values[index])).ToList())).ToList();
    }

    /// <summary>The figure <paramref name="kpi"/>'s threshold is about, for one interval.</summary>
    public static double? ValueOf(Kpi kpi, MetricInterval interval, double healedInWindow, TimeSpan windowSoFar)
    {
        // By the catalog's own entries, not their ids' text: a renamed id cannot silently turn a figure into "no data".
        if (kpi == Kpis.WebhookProcessingTime || kpi == Kpis.QueryResponseTime)
            return interval.Histogram(kpi.Metrics[0])?.Quantile(HistogramQuantile);
        if (kpi == Kpis.CacheHitRate) return Share(interval, kpi.Metrics[0], "result", result => result == "hit");
        if (kpi == Kpis.WebhookFailureRate) return Share(interval, kpi.Metrics[0], "outcome", outcome => outcome != "accepted");
        if (kpi == Kpis.RealtimeConnections) return interval.Sum(kpi.Metrics[0]);
        // Held now (the sampler's gauge); before the first sample, at least those lettered in this interval.
        if (kpi == Kpis.DeadLetters)
            return Max(interval.Gauge(kpi.Metrics[0]) is >= 0 and var held ? held : null, interval.Sum(kpi.Metrics[1]));
        if (kpi == Kpis.ProjectorLag) return interval.Gauge(kpi.Metrics[0]);
        // Silence matters only while the chain has new logs (the reconciler healed some in the window); never accepted: the window so far.
        if (kpi == Kpis.WebhooksSilent)
            return healedInWindow <= 0 ? 0 : interval.Gauge(kpi.Metrics[0]) is >= 0 and var age ? age / 60 : windowSoFar.TotalMinutes;
        if (kpi == Kpis.CdpUnhealthy)
            return interval.Sum(kpi.Metrics[0]) is null ? null
                : interval.SumWhere(kpi.Metrics[0], "status", status => !string.Equals(status, "healthy", StringComparison.OrdinalIgnoreCase));
        return null;
    }

    /// <summary>The percentage of the instrument's count whose tag matches; null when it counted nothing.</summary>
    private static double? Share(MetricInterval interval, string name, string tag, Func<string?, bool> match) =>
        interval.Sum(name) is > 0 and var all ? 100 * interval.SumWhere(name, tag, match) / all : null;

    private static double? Max(double? a, double? b) => a is null ? b : b is null ? a : Math.Max(a.Value, b.Value);
}
