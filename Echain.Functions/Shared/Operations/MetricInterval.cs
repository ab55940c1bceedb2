using OpenTelemetry;
using OpenTelemetry.Metrics;

namespace Echain.Functions.Shared.Operations;

/// <summary>One histogram's buckets over an interval, every tag combination merged.</summary>
public sealed class BucketCounts
{
    private readonly SortedDictionary<double, long> _counts = new();

    public long Count { get; private set; }
    public double Min { get; private set; } = double.PositiveInfinity;
    public double Max { get; private set; } = double.NegativeInfinity;

    public void Add(double upperBound, long count)
    {
        _counts[upperBound] = _counts.GetValueOrDefault(upperBound) + count;
        Count += count;
    }

    public void Observe(double min, double max)
    {
        Min = Math.Min(Min, min);
        Max = Math.Max(Max, max);
    }

    /// <summary>
    /// The <paramref name="quantile"/> interpolated linearly inside the bucket it falls in, the bucket narrowed to the
    /// recorded min and max (so the overflow bucket and a lone value give a real figure); null without measurements.
    /// </summary>
    public double? Quantile(double quantile)
    {
        if (Count == 0) return null;
        var rank = quantile * Count;
        double lower = double.NegativeInfinity, cumulative = 0;
        foreach (var (upper, count) in _counts)
        {
            if (count > 0 && cumulative + count >= rank)
            {
                var from = Math.Max(lower, Min);
                var to = Math.Min(upper, Max);
                if (to < from) return from;
                return from + (to - from) * ((rank - cumulative) / count);
            }
            cumulative += count;
            lower = upper;
        }
        return Max;
    }
}

/// <summary>
/// What one export of the in-process reader held, by instrument name: histograms' buckets, sums by one tag's value,
/// gauges' last values. Delta temporality: counters and histograms are this interval's; up-down counters and gauges are current.
/// </summary>
public sealed class MetricInterval
{
    private readonly Dictionary<string, BucketCounts> _histograms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<(IReadOnlyDictionary<string, object?> Tags, double Value)>> _sums = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _gauges = new(StringComparer.Ordinal);

    public MetricInterval(DateTimeOffset at) => At = at;

    public DateTimeOffset At { get; }

    public static MetricInterval Read(in Batch<Metric> batch, DateTimeOffset at)
    {
        var interval = new MetricInterval(at);
        foreach (var metric in batch) interval.Add(metric);
        return interval;
    }

    public BucketCounts? Histogram(string name) => _histograms.GetValueOrDefault(name);

    public double? Gauge(string name) => _gauges.TryGetValue(name, out var value) ? value : null;

    /// <summary>The sum over every point; null when the instrument reported nothing this interval.</summary>
    public double? Sum(string name) => _sums.TryGetValue(name, out var points) ? points.Sum(p => p.Value) : null;

    /// <summary>The sum over the points whose <paramref name="tag"/> satisfies <paramref name="match"/>.</summary>
    public double SumWhere(string name, string tag, Func<string?, bool> match) =>
        _sums.TryGetValue(name, out var points) ? points.Where(p => match(p.Tags.GetValueOrDefault(tag)?.ToString())).Sum(p => p.Value) : 0;

    private void Add(Metric metric)
    {
        foreach (ref readonly var point in metric.GetMetricPoints())
            switch (metric.MetricType)
            {
                case MetricType.Histogram:
                    var buckets = _histograms.TryGetValue(metric.Name, out var known) ? known : _histograms[metric.Name] = new BucketCounts();
                    foreach (var bucket in point.GetHistogramBuckets()) buckets.Add(bucket.ExplicitBound, bucket.BucketCount);
                    if (point.TryGetHistogramMinMaxValues(out var min, out var max)) buckets.Observe(min, max);
                    break;
                case MetricType.LongSum or MetricType.LongSumNonMonotonic:
                    AddSum(metric.Name, point, point.GetSumLong());
                    break;
                case MetricType.DoubleSum or MetricType.DoubleSumNonMonotonic:
                    AddSum(metric.Name, point, point.GetSumDouble());
                    break;
                case MetricType.LongGauge:
                    _gauges[metric.Name] = point.GetGaugeLastValueLong();
                    break;
                case MetricType.DoubleGauge:
                    _gauges[metric.Name] = point.GetGaugeLastValueDouble();
                    break;
            }
    }

    private void AddSum(string name, in MetricPoint point, double value)
    {
        var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in point.Tags) tags[tag.Key] = tag.Value;
        (_sums.TryGetValue(name, out var points) ? points : _sums[name] = []).Add((tags, value));
    }
}
