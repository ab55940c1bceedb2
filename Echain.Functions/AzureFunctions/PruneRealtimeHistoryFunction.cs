using Echain.Core.Realtime;

namespace Echain.Functions.AzureFunctions;

/// <summary>
/// PruneRealtimeHistory. Trigger: timerTrigger <c>timer</c> (every 5 minutes, the default Echain:Realtime:PruneInterval):
/// drops realtime history beyond both Echain:Realtime:HistoryCount and HistoryAge. No outputs. The standalone
/// counterpart is <see cref="Standalone.Realtime.RealtimeHistoryPruner"/>.
/// </summary>
public static class PruneRealtimeHistoryFunction
{
    public const string Name = "PruneRealtimeHistory";
    public const string Schedule = "0 */5 * * * *";

    public static async Task<InvocationResult> RunAsync(FunctionInvocation invocation, RealtimeHistory history, CancellationToken ct)
    {
        var pruned = await history.PruneAsync(ct);
        return InvocationResult.Ok().Log($"PruneRealtimeHistory: {pruned} messages pruned");
    }
}
