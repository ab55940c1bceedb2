using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Echain.Functions.Shared.Operations;

/// <summary>
/// Reads the app's metrics through OpenTelemetry itself, behind a periodic reader with delta temporality: each export
/// is one interval of <see cref="OperatorMetricsWindow"/>.
/// </summary>
public sealed class OperatorMetricsExporter(OperatorMetricsWindow window, TimeProvider time) : BaseExporter<Metric>
{
    public override ExportResult Export(in Batch<Metric> batch)
    {
        window.Add(MetricInterval.Read(batch, time.GetUtcNow()));
        return ExportResult.Success;
    }

    /// <summary>The reader the meter provider calls every <see cref="OperatorMetricsWindow.Resolution"/>.</summary>
    public static PeriodicExportingMetricReader Reader(OperatorMetricsWindow window, TimeProvider time) =>
        new(new OperatorMetricsExporter(window, time), (int)OperatorMetricsWindow.Resolution.TotalMilliseconds)
        {
            TemporalityPreference = MetricReaderTemporalityPreference.Delta,
        };
}
