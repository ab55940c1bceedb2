using Echain.Core;
using Echain.Core.Deliveries;
using Microsoft.Extensions.Options;

namespace Echain.Functions.Shared.Deliveries;

/// <summary>
/// Deletes delivery log rows older than Echain:Deliveries:RetentionDays every PruneInterval, on every instance of both
/// hosts. One hosted service rather than a Functions timer as well: the custom handler runs hosted services, and rows
/// only arrive while an instance runs to prune them.
/// </summary>
public sealed class DeliveryLogPruner(DeliveryLogStore store, IOptions<DeliveryLogOptions> options, TimeProvider time,
    ILogger<DeliveryLogPruner> logger) : PeriodicPruner(time, logger)
{
    protected override string Subject => "delivery log rows";

    protected override TimeSpan Interval => options.Value.PruneInterval;

    protected override async Task<int> PruneOnceAsync(CancellationToken ct)
    {
        var pruned = await store.PruneAsync(TimeSpan.FromDays(options.Value.RetentionDays), ct);
        if (pruned > 0) EchainMetrics.DeliveriesPruned.Add(pruned);
        return pruned;
    }
}
