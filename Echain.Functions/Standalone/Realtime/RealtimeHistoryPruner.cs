using Echain.Core.Realtime;
using Echain.Functions.Shared;
using Microsoft.Extensions.Options;

namespace Echain.Functions.Standalone.Realtime;

/// <summary>
/// Drops realtime history beyond both Echain:Realtime:HistoryCount and HistoryAge every PruneInterval, on every
/// instance. The counterpart of the Functions PruneRealtimeHistory timer.
/// </summary>
public sealed class RealtimeHistoryPruner(RealtimeHistory history, IOptions<RealtimeHistoryOptions> options, TimeProvider time,
    ILogger<RealtimeHistoryPruner> logger) : PeriodicPruner(time, logger)
{
    protected override string Subject => "realtime history messages";

    protected override TimeSpan Interval => options.Value.PruneInterval;

    protected override Task<int> PruneOnceAsync(CancellationToken ct) => history.PruneAsync(ct);
}
