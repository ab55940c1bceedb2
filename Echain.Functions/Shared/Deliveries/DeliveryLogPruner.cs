using Echain.Core;
using Echain.Core.Deliveries;
using Microsoft.Extensions.Options;

namespace Echain.Functions.Shared.Deliveries;

/// <summary>
/// Deletes delivery log rows older than Echain:Deliveries:RetentionDays every PruneInterval, on every instance of both
/// hosts (a delete that finds nothing is cheap). One hosted service rather than a Functions timer as well: the custom
/// handler runs hosted services, and rows only arrive while an instance runs to prune them.
/// </summary>
public sealed class DeliveryLogPruner(DeliveryLogStore store, IOptions<DeliveryLogOptions> options, TimeProvider time,
    ILogger<DeliveryLogPruner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var pruned = await store.PruneAsync(TimeSpan.FromDays(options.Value.RetentionDays), stoppingToken);
                if (pruned > 0)
                {
                    EchainMetrics.DeliveriesPruned.Add(pruned);
                    logger.LogInformation("Pruned {Count} delivery log rows", pruned);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // PostgreSQL down: the log only grows a little until the next interval.
                logger.LogWarning(e, "Pruning the delivery log failed; trying again in {Interval}", options.Value.PruneInterval);
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
