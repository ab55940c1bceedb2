using System.Diagnostics.Metrics;
using Echain.Core.Telemetry;
using Echain.Functions.Shared.Operations;
using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Echain.Tests.Operations;

/// <summary>
/// The operator window's arithmetic through the real reader and exporter: a meter of this test's own (instruments named
/// as Echain's, so the KPIs find them, and no other test's measurements reach it) on a real MeterProvider.
/// </summary>
public sealed class OperatorMetricsWindowTests : IDisposable
{
    private readonly Meter _meter = new("Echain.Tests.Operator." + Guid.NewGuid().ToString("N"));
    private readonly OperatorMetricsWindow _window = new();
    private readonly MeterProvider _provider;

    public OperatorMetricsWindowTests() =>
        _provider = Sdk.CreateMeterProviderBuilder().AddMeter(_meter.Name)
            .AddReader(OperatorMetricsExporter.Reader(_window, TimeProvider.System)).Build()!;

    public void Dispose()
    {
        _provider.Dispose();
        _meter.Dispose();
    }

    private KpiSample Newest(Kpi kpi) => _window.Snapshot().Single(k => k.Kpi == kpi).Series[^1];

    [Fact]
    public void The_p95_of_a_latency_comes_from_its_buckets_narrowed_to_the_recorded_extremes()
    {
        var duration = _meter.CreateHistogram<double>("echain.webhook.duration", "ms", null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000] });
        for (var i = 0; i < 90; i++) duration.Record(3);
        for (var i = 0; i < 10; i++) duration.Record(300);

        Assert.True(_provider.ForceFlush());
        // Rank 95 of 100 is halfway through the (200, 500] bucket's 10, which holds nothing above 300: 200 + 0.5 × 100.
        Assert.Equal(250, Newest(Kpis.WebhookProcessingTime).Value!.Value, 6);
        Assert.Equal(KpiState.Green, Kpis.WebhookProcessingTime.StateOf(250));
        // Nothing was read: no figure rather than a zero.
        Assert.Null(Newest(Kpis.QueryResponseTime).Value);

        // Delta: the next interval starts empty.
        duration.Record(40);
        Assert.True(_provider.ForceFlush());
        Assert.Equal(40, Newest(Kpis.WebhookProcessingTime).Value!.Value, 6);
        Assert.Equal(2, _window.Snapshot().Single(k => k.Kpi == Kpis.WebhookProcessingTime).Series.Count);
    }

    [Fact]
    public void The_cache_hit_rate_and_the_webhook_failure_rate_are_shares_of_the_interval_by_tag()
    {
        var cacheReads = _meter.CreateCounter<long>("echain.cache.reads");
        var webhooks = _meter.CreateCounter<long>("echain.webhooks.received");
        cacheReads.Add(9, new KeyValuePair<string, object?>("result", "hit"));
        cacheReads.Add(2, new KeyValuePair<string, object?>("result", "miss"));
        cacheReads.Add(1, new KeyValuePair<string, object?>("result", "fallback"));
        webhooks.Add(197, new KeyValuePair<string, object?>("outcome", "accepted"));
        webhooks.Add(2, new KeyValuePair<string, object?>("outcome", "unauthorized"));
        webhooks.Add(1, new KeyValuePair<string, object?>("outcome", "bad-request"));

        Assert.True(_provider.ForceFlush());
        Assert.Equal(75, Newest(Kpis.CacheHitRate).Value!.Value, 6);
        Assert.Equal(KpiState.Red, Kpis.CacheHitRate.StateOf(75));
        Assert.Equal(1.5, Newest(Kpis.WebhookFailureRate).Value!.Value, 6);
        Assert.Equal(KpiState.Red, Kpis.WebhookFailureRate.StateOf(1.5));

        // An interval without reads or deliveries has no rate (not 0 %, which would read as a red cache).
        Assert.True(_provider.ForceFlush());
        Assert.Null(Newest(Kpis.CacheHitRate).Value);
        Assert.Null(Newest(Kpis.WebhookFailureRate).Value);
    }

    [Fact]
    public void Gauges_give_their_last_value_and_silence_counts_only_while_the_reconciler_heals_logs()
    {
        double lag = 7.5, lastAccepted = 1_200;
        _meter.CreateObservableGauge("echain.projector.lag", () => lag);
        _meter.CreateObservableGauge("echain.webhooks.last_accepted_age", () => lastAccepted);
        var healed = _meter.CreateCounter<long>("echain.reconcile.healed");
        var cdp = _meter.CreateCounter<long>("echain.cdp.health_updates");
        cdp.Add(1, new KeyValuePair<string, object?>("status", "healthy"));
        cdp.Add(2, new KeyValuePair<string, object?>("status", "degraded"));

        Assert.True(_provider.ForceFlush());
        Assert.Equal(7.5, Newest(Kpis.ProjectorLag).Value);
        Assert.Equal(KpiState.Red, Kpis.ProjectorLag.StateOf(7.5));
        Assert.Equal(0, Newest(Kpis.WebhooksSilent).Value); // 20 minutes without a webhook, but the chain had nothing new
        Assert.Equal(2, Newest(Kpis.CdpUnhealthy).Value);

        healed.Add(1);
        Assert.True(_provider.ForceFlush());
        Assert.Equal(20, Newest(Kpis.WebhooksSilent).Value);
        Assert.Equal(KpiState.Red, Kpis.WebhooksSilent.StateOf(20));
        // The healed log stays in the window after its interval.
        lag = 0.2;
        Assert.True(_provider.ForceFlush());
        Assert.Equal(20, Newest(Kpis.WebhooksSilent).Value!.Value, 0);
        Assert.Equal(0.2, Newest(Kpis.ProjectorLag).Value);
    }
}
