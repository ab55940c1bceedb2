using Microsoft.Extensions.Options;

namespace Echain.Core.Chain.Rpc;

/// <summary>
/// GET /api/chain: which chain and contracts Echain follows, what the node says now, and how far the projection is
/// known to match the chain. Never carries an RPC URL or a node's error text.
/// </summary>
/// <param name="ChainId">eth_chainId of the answering node; null when no node answered.</param>
/// <param name="Head">eth_blockNumber of the answering node; null when no node answered.</param>
/// <param name="Finalized">The newest block treated as final; null until the reconciler exists.</param>
/// <param name="Reconciled">The newest block the reconciler has checked against the projection; null until it exists.</param>
public sealed record ChainStatus(
    string Network,
    long? ChainId,
    long? Head,
    long? Finalized,
    long? Reconciled,
    IReadOnlyList<string> TicketContracts,
    IReadOnlyList<string> PaymentTokens,
    RpcStatus Rpc);

/// <param name="Ok">Whether a node answered both eth_chainId and eth_blockNumber.</param>
/// <param name="LatencyMs">The answering node's eth_blockNumber round trip; null when none answered.</param>
public sealed record RpcStatus(bool Ok, double? LatencyMs);

/// <summary>Builds <see cref="ChainStatus"/>. A node outage is part of the answer (ok false), never an error.</summary>
public sealed class ChainStatusReader(IChainRpc rpc, IOptions<ChainOptions> chain, IOptions<EchainOptions> contracts)
{
    public async Task<ChainStatus> ReadAsync(CancellationToken cancellationToken)
    {
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
        return new ChainStatus(chain.Value.Network, chainId, head?.Value, Finalized: null, Reconciled: null,
            Lowercase(contracts.Value.TicketContracts), Lowercase(contracts.Value.PaymentTokens),
            new RpcStatus(head is not null, head?.Latency.TotalMilliseconds));
    }

    // Validated at start-up (EchainOptions.HasValidAddresses), so every entry normalizes.
    private static string[] Lowercase(IEnumerable<string> addresses) =>
        addresses.Select(a => EthAddress.Normalize(a.Trim())).ToArray();
}
