using System.Text.Json.Serialization;
using HdrHistogram;

namespace Echain.Bench;

/// <summary>Latency in microseconds, HdrHistogram with 3 significant digits from 1 µs to 5 minutes.</summary>
public sealed class Latency
{
    private readonly LongHistogram _histogram = new(300_000_000L, 3);
    private readonly Lock _lock = new();

    public void Record(TimeSpan elapsed)
    {
        var micros = Math.Clamp((long)elapsed.TotalMicroseconds, 1, _histogram.HighestTrackableValue);
        lock (_lock) _histogram.RecordValue(micros);
    }

    /// <summary>A bucket of another histogram (the Node.js harness's), so its percentiles come from this same code.</summary>
    public void Record(long micros, long count)
    {
        lock (_lock) _histogram.RecordValueWithCount(Math.Clamp(micros, 1, _histogram.HighestTrackableValue), count);
    }

    public long Count { get { lock (_lock) return _histogram.TotalCount; } }

    /// <summary>Milliseconds at the given percentile (0–100); NaN when nothing was recorded.</summary>
    public double Ms(double percentile)
    {
        lock (_lock)
            return _histogram.TotalCount == 0 ? double.NaN : _histogram.GetValueAtPercentile(percentile) / 1000.0;
    }

    public double MaxMs { get { lock (_lock) return _histogram.TotalCount == 0 ? double.NaN : _histogram.GetMaxValue() / 1000.0; } }

    public double MeanMs { get { lock (_lock) return _histogram.TotalCount == 0 ? double.NaN : _histogram.GetMean() / 1000.0; } }

    /// <summary>(percentile, ms) points for the chart, on the usual 1/(1-p) axis.</summary>
    public IReadOnlyList<(double Percentile, double Ms)> Curve()
    {
        lock (_lock)
        {
            var points = new List<(double, double)>();
            if (_histogram.TotalCount == 0) return points;
            foreach (var p in new[] { 0.0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999 })
                points.Add((p, _histogram.GetValueAtPercentile(p) / 1000.0));
            return points;
        }
    }

    public LatencySummary Summary() => new(Count, Ms(50), Ms(95), Ms(99), Ms(99.9), MaxMs);
}

public sealed record LatencySummary(long Count, double P50Ms, double P95Ms, double P99Ms, double P999Ms, double MaxMs);

/// <summary>One measured figure: the median over runs, every run's value, and its target beside it.</summary>
public sealed record Figure(
    string Section, string Name, string Unit, double Median, IReadOnlyList<double> Runs,
    string Target, bool? Pass, string? Note = null)
{
    [JsonIgnore] public string Verdict => Pass switch { true => "PASS", false => "**FAIL**", null => "—" };
}

public static class Median
{
    public static double Of(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).OrderBy(v => v).ToArray();
        if (sorted.Length == 0) return double.NaN;
        var mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
