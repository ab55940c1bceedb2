using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Echain.Core;
using Echain.Core.Chain;
using Echain.Core.Projection;

namespace Echain.Tests.Processing;

/// <summary>The tag values of the event counters are the documented ones (dashboards match on them).</summary>
public sealed class EventMetricsTests
{
    private static readonly LogKey Key = new("base-mainnet", "0xabc", 0);

    [Fact]
    public void Handled_logs_count_as_processed_with_a_kebab_case_status_and_ignored_ones_as_ignored_with_their_reason()
    {
        // Other tests count concurrently (the instruments are process-wide): assert on what was seen, not on totals.
        var seen = new ConcurrentBag<string>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EchainMetrics.MeterName && instrument.Name.StartsWith("echain.events.", StringComparison.Ordinal))
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            var key = instrument.Name;
            foreach (var tag in tags) key += $"|{tag.Key}={tag.Value}";
            seen.Add(key);
        });
        listener.Start();

        EchainMetrics.CountProcessed(new ProjectionOutcome(Key, ProjectionStatus.Applied, [], []));
        EchainMetrics.CountProcessed(new ProjectionOutcome(Key, ProjectionStatus.AlreadyApplied, [], []));
        EchainMetrics.CountProcessed(new ProjectionOutcome(Key, ProjectionStatus.RolledBack, [], []));
        EchainMetrics.CountProcessed(new ProjectionOutcome(Key, ProjectionStatus.Ignored, [], [], IgnoreReasons.UnknownEvent));
        EchainMetrics.CountIgnored(IgnoreReasons.UnconfiguredContract);

        Assert.Contains("echain.events.processed|status=applied", seen);
        Assert.Contains("echain.events.processed|status=already-applied", seen);
        Assert.Contains("echain.events.processed|status=rolled-back", seen);
        Assert.Contains("echain.events.ignored|reason=unknown-event", seen);
        Assert.Contains("echain.events.ignored|reason=unconfigured-contract", seen);
        Assert.All(seen.Where(k => k.StartsWith("echain.events.processed", StringComparison.Ordinal)), k =>
            Assert.Contains(k, new[] { "echain.events.processed|status=applied", "echain.events.processed|status=already-applied", "echain.events.processed|status=rolled-back" }));
    }
}
