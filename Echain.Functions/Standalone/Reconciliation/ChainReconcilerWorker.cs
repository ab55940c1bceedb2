using Echain.Core.Chain.Rpc;
using Echain.Core.Queue;
using Echain.Core.Realtime;
using Echain.Core.Reconciliation;
using Microsoft.Extensions.Options;

namespace Echain.Functions.Standalone.Reconciliation;

/// <summary>
/// ReconcileChain on the standalone host: a pass every Echain:Chain:ReconcileInterval, queued into the Redis Stream,
/// corrections to the in-process hub. Every instance runs it; the lease lets one of them work at a time. The
/// counterpart of the Azure Functions ReconcileChain timer.
/// </summary>
public sealed class ChainReconcilerWorker(
    ChainReconciler reconciler, IChainEventQueue queue, IRealtimePublisher publisher, IOptions<ChainOptions> options,
    TimeProvider time, ILogger<ChainReconcilerWorker> logger) : BackgroundService
{
    /// <summary>The pause between passes while final blocks remain (an import, or logs waiting for the projector).</summary>
    public static readonly TimeSpan CatchUpPause = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var chain = options.Value;
        if (!chain.ReconcilerEnabled)
        {
            logger.LogInformation("Reconciler off ({Setting}); webhooks are the only source of chain events.",
                chain.RpcUrls.Count == 0 ? "no Echain:Chain:RpcUrls" : "Echain:Chain:Reconcile=false");
            return;
        }
        logger.LogInformation("Reconciling {Network} from block {StartBlock} every {Interval}, {Confirmations} confirmations.",
            chain.Network, chain.StartBlock, chain.ReconcileInterval, chain.EffectiveConfirmations);
        while (!stoppingToken.IsCancellationRequested)
        {
            var outcome = await reconciler.TryRunPassAsync(queue, publisher, stoppingToken);
            var pause = outcome.Pass is { Behind: true } ? CatchUpPause : chain.ReconcileInterval;
            try
            {
                await Task.Delay(pause, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
