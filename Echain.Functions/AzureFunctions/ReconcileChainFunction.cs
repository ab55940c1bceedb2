using Echain.Core.Chain.Rpc;
using Echain.Core.Reconciliation;
using Microsoft.Extensions.Options;

namespace Echain.Functions.AzureFunctions;

/// <summary>
/// ReconcileChain. Trigger: timerTrigger <c>timer</c> (every 15 s; the Functions host runs one invocation at a time
/// across instances, and the reconciler's own lease covers the rest). Outputs: <c>outEvents</c> (serviceBus, queue
/// "chain-events": missing logs, replacements, removals) and <c>signalRMessages</c> (balances read from the chain).
/// The checkpoint only moves past logs once they are applied, so outputs the host fails to send are queued again.
/// </summary>
public static class ReconcileChainFunction
{
    public const string Name = "ReconcileChain";
    /// <summary>NCRONTAB with seconds: the default Echain:Chain:ReconcileInterval.</summary>
    public const string Schedule = "*/15 * * * * *";

    public static async Task<InvocationResult> RunAsync(
        FunctionInvocation invocation, ChainReconciler reconciler, IOptions<ChainOptions> options, CancellationToken ct)
    {
        if (!options.Value.ReconcilerEnabled) return InvocationResult.Ok();
        var outEvents = new ServiceBusOutput();
        var signalRMessages = new SignalROutput();
        var outcome = await reconciler.TryRunPassAsync(outEvents, signalRMessages, ct);
        // A failed pass is logged and counted by the reconciler; the timer tries again, so the invocation succeeds.
        return InvocationResult.Ok()
            .Output(BindingNames.OutEvents, outEvents.ToJson())
            .Output(BindingNames.SignalRMessages, signalRMessages.ToJson())
            .Log($"ReconcileChain: {outcome.Outcome}");
    }
}
