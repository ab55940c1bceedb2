using Echain.Core.Reconciliation;
using Microsoft.Extensions.Options;

namespace Echain.Core.Chain.Rpc;

/// <summary>
/// GET /api/chain: which chain and contracts Echain follows, what the node says now, and how far the projection is
/// known to match the chain. Never carries an RPC URL or a node's error text.
/// </summary>
/// <param name="ChainId">eth_chainId of the answering node; null when no node answered.</param>
/// <param name="Head">eth_blockNumber of the answering node; null when no node answered.</param>
/// <param name="Finalized">The newest block treated as final: head − <paramref name="Confirmations"/> (the last pass's when no node answers); null while no block is.</param>
/// <param name="Reconciled">Every block up to here was compared with the chain and all its logs are applied; reads call items up to it final. Null before the first pass.</param>
public sealed record ChainStatus(
    string Network,
    long? ChainId,
    long? Head,
    long? Finalized,
    long? Reconciled,
    int Confirmations,
    IReadOnlyList<string> TicketContracts,
    IReadOnlyList<string> PaymentTokens,
    RpcStatus Rpc,
    ReconcilerStatus Reconciler);

/// <param name="Ok">Whether a node answered both eth_chainId and eth_blockNumber.</param>
/// <param name="LatencyMs">The answering node's eth_blockNumber round trip; null when none answered.</param>
public sealed record RpcStatus(bool Ok, double? LatencyMs);

/// <param name="Enabled">Whether this deployment runs the reconciler (RPC URLs configured and Echain:Chain:Reconcile not false).</param>
/// <param name="Lag">Head − reconciled: the confirmations plus any backlog.</param>
/// <param name="LastPassAt">When a pass last recorded the checkpoint.</param>
/// <param name="Import">The history import from Echain:Chain:StartBlock; null before the first pass.</param>
/// <param name="Healed">Logs applied from the chain because no webhook delivered them.</param>
/// <param name="Imported">Logs applied from the chain's history.</param>
/// <param name="RolledBack">Logs undone because a reorg took them off the canonical chain.</param>
public sealed record ReconcilerStatus(
    bool Enabled, long? Lag, DateTimeOffset? LastPassAt, ImportProgress? Import, long Healed, long Imported, long RolledBack);

/// <param name="Block">The reconciled block; the import is done when it reaches <paramref name="TargetBlock"/>.</param>
public sealed record ImportProgress(long StartBlock, long TargetBlock, long Block, double Percent, bool Done);

/// <summary>Builds <see cref="ChainStatus"/>. A node outage is part of the answer (ok false), never an error.</summary>
public sealed class ChainStatusReader(
    IChainRpc rpc, ChainCheckpointStore checkpoints, AppliedLogLedger ledger, IOptions<ChainOptions> chain, IOptions<EchainOptions> contracts)
{
    public async Task<ChainStatus> ReadAsync(CancellationToken cancellationToken)
    {
        var options = chain.Value;
        long? chainId = null;
        RpcAnswer<long>? head = null;
        try
        {
            chainId = (await rpc.ChainIdAsync(cancellationToken)).Value;
            head = await rpc.HeadAsync(cancellationToken);
        }
        catch (ChainRpcUnavailableException)
        {
            // Already logged per node by the client; the answer says ok=false with what was read.
        }

        var checkpoint = await checkpoints.GetAsync(options.Network, cancellationToken);
        var counts = await ledger.CountsAsync(options.Network, cancellationToken);
        // Null while the chain is shorter than the confirmations: no block is final yet.
        var finalized = head is null ? checkpoint?.FinalizedBlock : head.Value - options.EffectiveConfirmations;
        if (finalized < 0) finalized = null;
        var currentHead = head?.Value ?? checkpoint?.HeadBlock;
        var import = checkpoint is null
            ? null
            : new ImportProgress(checkpoint.StartBlock, checkpoint.ImportTarget, checkpoint.ReconciledBlock,
                Math.Round(checkpoint.ImportPercent, 1), !checkpoint.Importing);
        var reconciler = new ReconcilerStatus(options.ReconcilerEnabled, currentHead - checkpoint?.ReconciledBlock, checkpoint?.UpdatedAt,
            import, counts.Healed, counts.Imported, counts.RolledBack);

        return new ChainStatus(options.Network, chainId, head?.Value, finalized, checkpoint?.ReconciledBlock, options.EffectiveConfirmations,
            [.. contracts.Value.TicketContractAddresses()], [.. contracts.Value.PaymentTokenAddresses()],
            new RpcStatus(head is not null, head?.Latency.TotalMilliseconds), reconciler);
    }
}
