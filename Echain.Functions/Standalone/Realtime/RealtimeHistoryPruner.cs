using Echain.Core.Realtime;
using Microsoft.Extensions.Options;

namespace Echain.Functions.Standalone.Realtime;

/// <summary>
/// Drops realtime history beyond both Echain:Realtime:HistoryCount and HistoryAge every PruneInterval, on every
/// instance (a delete that finds nothing is cheap). The counterpart of the Functions PruneRealtimeHistory timer.
/// </summary>
public sealed class RealtimeHistoryPruner(RealtimeHistory history, IOptions<RealtimeHistoryOptions> options, TimeProvider time,
    ILogger<RealtimeHistoryPruner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var pruned = await history.PruneAsync(stoppingToken);
                if (pruned > 0) logger.LogInformation("Pruned {Count} realtime history messages", pruned);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // PostgreSQL down: the history only grows a little until the next interval.
                logger.LogWarning(e, "Pruning realtime history failed; trying again in {Interval}", options.Value.PruneInterval);
            }

            try
            {
                await Task.Delay(options.Value.PruneInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
