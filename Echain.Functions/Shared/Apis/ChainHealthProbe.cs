using Echain.Core.Chain.Rpc;
using Echain.Core.Reconciliation;
using Microsoft.Extensions.Options;

namespace Echain.Functions.Shared.Apis;

/// <param name="Problem">Why the chain side is degraded, in words an operator can act on; null when it is fine.</param>
public sealed record ChainHealth(
    bool RpcOk, double? RpcLatencyMs, long? Head, long? Reconciled, long? Lag, bool ReconcilerEnabled, DateTimeOffset? LastPassAt, string? Problem);

/// <summary>The chain part of /api/health: the RPC nodes and the reconciler's lag. Null when no node is configured.</summary>
public sealed class ChainHealthProbe(IChainRpc rpc, ChainCheckpointStore checkpoints, IOptions<ChainOptions> options, TimeProvider time)
{
    /// <summary>Blocks beyond the confirmations a reconciler may trail by between passes before it counts as behind.</summary>
    public const int BehindSlack = 50;

    public async Task<ChainHealth?> ProbeAsync(bool postgresOk, CancellationToken ct)
    {
        var chain = options.Value;
        if (chain.RpcUrls.Count == 0) return null;
        RpcAnswer<long>? head = null;
        try
        {
            head = await rpc.HeadAsync(ct);
        }
        catch (ChainRpcUnavailableException)
        {
            // The client logged each node's failure; health reports it below.
        }
        var checkpoint = postgresOk && chain.ReconcilerEnabled ? await checkpoints.GetAsync(chain.Network, ct) : null;
        var lag = head is null || checkpoint is null ? (long?)null : head.Value - checkpoint.ReconciledBlock;
        var stalledAfter = TimeSpan.FromTicks(Math.Max(chain.ReconcileInterval.Ticks * 4, TimeSpan.FromMinutes(1).Ticks));

        string? problem = null;
        if (head is null)
            problem = "no RPC node answers: the reconciler waits, webhooks still apply";
        else if (checkpoint is not null && time.GetUtcNow() - checkpoint.UpdatedAt > stalledAfter)
            problem = $"the reconciler has not finished a pass since {checkpoint.UpdatedAt:u}";
        else if (lag > 2L * chain.EffectiveConfirmations + BehindSlack)
            problem = checkpoint!.Importing
                ? $"importing history: block {checkpoint.ReconciledBlock} of {checkpoint.ImportTarget} ({checkpoint.ImportPercent:F1} %)"
                : $"the reconciler is {lag} blocks behind the head";
        return new ChainHealth(head is not null, head?.Latency.TotalMilliseconds, head?.Value, checkpoint?.ReconciledBlock, lag,
            chain.ReconcilerEnabled, checkpoint?.UpdatedAt, problem);
    }
}
