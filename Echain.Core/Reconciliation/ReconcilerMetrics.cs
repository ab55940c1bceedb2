using System.Diagnostics.Metrics;

namespace Echain.Core.Reconciliation;

/// <summary>
/// The reconciler's instruments, in the "Echain" meter. The counts of logs actually applied from heals, imports and
/// removals are the processor's (echain.reconcile.healed / imported / rolled_back); these say what passes did.
/// </summary>
public static class ReconcilerMetrics
{
    private static readonly Meter Meter = EchainMetrics.Meter;
    private static long _lag = -1, _head = -1, _reconciled = -1;
    private static double _importPercent;

    /// <summary>Tag "outcome": ok, rpc-unavailable, error, lease-held (another instance reconciles).</summary>
    public static readonly Counter<long> Passes = Meter.CreateCounter<long>("echain.reconcile.passes");
    public static readonly Histogram<double> PassDuration = Meter.CreateHistogram<double>("echain.reconcile.pass.duration", "ms");
    /// <summary>Events a pass queued. Tag "reason": import, heal, replace, remove.</summary>
    public static readonly Counter<long> Queued = Meter.CreateCounter<long>("echain.reconcile.queued");

    static ReconcilerMetrics()
    {
        Meter.CreateObservableGauge("echain.reconcile.lag", () => Interlocked.Read(ref _lag), "blocks",
            "Head minus the reconciled block at the last pass (the confirmations plus any backlog).");
        Meter.CreateObservableGauge("echain.reconcile.head", () => Interlocked.Read(ref _head), "block");
        Meter.CreateObservableGauge("echain.reconcile.reconciled", () => Interlocked.Read(ref _reconciled), "block");
        Meter.CreateObservableGauge("echain.reconcile.import_progress", () => Volatile.Read(ref _importPercent), "%",
            "Share of the history import from Echain:Chain:StartBlock done.");
    }

    public static void Record(ReconcilePass pass)
    {
        Interlocked.Exchange(ref _lag, pass.Lag);
        Interlocked.Exchange(ref _head, pass.Head);
        Interlocked.Exchange(ref _reconciled, pass.Reconciled);
        Volatile.Write(ref _importPercent, pass.ImportPercent);
        Passes.Add(1, new KeyValuePair<string, object?>("outcome", "ok"));
        PassDuration.Record(pass.Duration.TotalMilliseconds);
        foreach (var (reason, count) in new[] { ("import", pass.Imported), ("heal", pass.Healed), ("replace", pass.Replaced), ("remove", pass.Removed) })
            if (count > 0) Queued.Add(count, new KeyValuePair<string, object?>("reason", reason));
    }

    public static void Failed(string outcome) => Passes.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
