using Echain.Core.Deliveries;
using Echain.Core.Queue;
using Echain.Core.Telemetry;
using Echain.Functions.Shared.Apis;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenTelemetry.Metrics;

namespace Echain.Functions.Shared.Operations;

/// <summary>
/// <c>GET /api/admin/metrics</c>, the operator page's data behind the admin key, on both hosts: every KPI against its
/// threshold with its last 15 minutes, the queue, and the newest failed deliveries.
/// </summary>
public static class OperatorApi
{
    private const int RecentFailures = 10;
    private const int DeadLettersShown = 5;

    /// <summary>The in-process window of the app's own metrics (a reader beside the exporters).</summary>
    public static IServiceCollection AddEchainOperatorPage(this IServiceCollection services)
    {
        services.AddSingleton<OperatorMetricsWindow>();
        services.ConfigureOpenTelemetryMeterProvider((sp, metrics) => metrics.AddReader(
            OperatorMetricsExporter.Reader(sp.GetRequiredService<OperatorMetricsWindow>(), sp.GetRequiredService<TimeProvider>())));
        return services;
    }

    public static IEndpointRouteBuilder MapOperatorApi(this IEndpointRouteBuilder app)
    {
        app.MapAdminGroup().WithTags("Admin: operator page").MapGet("/metrics", GetAsync);
        return app;
    }

    public sealed record KpiPoint(DateTimeOffset At, double? Value);

    /// <param name="Value">the newest figure in the window (a rate has none in an interval without traffic; null: none in 15 minutes);
    /// <paramref name="State"/> is judged on it.</param>
    public sealed record KpiView(string Id, string Title, string Unit, double Threshold, string Direction, string State, double? Value,
        IReadOnlyList<KpiPoint> Series);

    public sealed record QueueView(long Length, long Pending, long DeadLetters, double? OldestAgeSeconds);

    public sealed record FailureView(long Id, DateTimeOffset ReceivedAt, int Status, string Outcome, string? Reason, string? EventType);

    public sealed record DeadLetterView(string Id, string Kind, string Error, int Deliveries, string FailedAt);

    /// <param name="Queue">null where the host cannot count its queue (the Functions host: Service Bus' own metrics).</param>
    public sealed record OperatorMetrics(int ResolutionSeconds, int WindowMinutes, IReadOnlyList<KpiView> Kpis, QueueView? Queue,
        IReadOnlyList<FailureView> RecentFailures, IReadOnlyList<DeadLetterView> DeadLetters);

    public static async Task<Ok<OperatorMetrics>> GetAsync(OperatorMetricsWindow window, DeliveryLogStore deliveries,
        IServiceProvider services, CancellationToken ct)
    {
        var kpis = window.Snapshot().Select(k => View(k.Kpi, k.Series)).ToList();
        var failures = (await deliveries.RecentFailuresAsync(RecentFailures, ct))
            .Select(f => new FailureView(f.Id, f.ReceivedAt, f.Status, f.Outcome, f.Reason, f.EventType)).ToList();
        QueueView? queue = null;
        IReadOnlyList<DeadLetterView> deadLetters = [];
        // Standalone only: the Redis stream is cheap to count; Service Bus is watched through its own metrics on Azure.
        if (services.GetService<IChainEventQueueMonitor>() is { } monitor)
        {
            var stats = await monitor.GetStatsAsync();
            queue = new QueueView(stats.Length, stats.Pending, stats.DeadLetters, stats.OldestAge?.TotalSeconds);
            if (stats.DeadLetters > 0 && services.GetService<IDeadLetterQueue>() is { } letters)
                deadLetters = (await letters.ListAsync(DeadLettersShown, ct))
                    .Select(d => new DeadLetterView(d.Id, d.Kind, d.Error, d.Deliveries, d.FailedAt)).ToList();
        }
        return TypedResults.Ok(new OperatorMetrics((int)OperatorMetricsWindow.Resolution.TotalSeconds,
            (int)OperatorMetricsWindow.Length.TotalMinutes, kpis, queue, failures, deadLetters));
    }

    private static KpiView View(Kpi kpi, IReadOnlyList<KpiSample> series)
    {
        var value = series.LastOrDefault(s => s.Value is not null)?.Value;
        var state = value is { } v ? kpi.StateOf(v).ToString().ToLowerInvariant() : "no-data";
        var direction = kpi.Direction == KpiDirection.AlertAbove ? "above" : "below";
        return new KpiView(kpi.Id, kpi.Title, kpi.Unit, kpi.Threshold, direction, state, value,
            series.Select(s => new KpiPoint(s.At, s.Value)).ToList());
    }
}
