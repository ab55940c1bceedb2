using System.Numerics;

namespace Echain.Core.Chain.Rpc;

/// <summary>
/// What Echain asks the chain's nodes. Every call fails over across <see cref="ChainOptions.RpcUrls"/>; a call that
/// no node answers throws <see cref="ChainRpcUnavailableException"/>.
/// </summary>
public interface IChainRpc
{
    /// <summary>The configured nodes, in the order they are preferred.</summary>
    IReadOnlyList<RpcEndpoint> Endpoints { get; }

    /// <summary>eth_chainId.</summary>
    Task<RpcAnswer<long>> ChainIdAsync(CancellationToken cancellationToken);

    /// <summary>eth_blockNumber: the newest block the answering node has.</summary>
    Task<RpcAnswer<long>> HeadAsync(CancellationToken cancellationToken);

    /// <summary>
    /// eth_getLogs over [fromBlock, toBlock] for the addresses, in the node's order (block, log index).
    /// Throws <see cref="LogRangeRefusedException"/> when the answering node refuses the range (too many blocks or
    /// results); that is not a node failure: the node is not paused and no other node is asked.
    /// </summary>
    Task<RpcAnswer<IReadOnlyList<ChainLog>>> GetLogsAsync(IReadOnlyCollection<string> addresses, long fromBlock, long toBlock, CancellationToken cancellationToken);

    /// <summary>eth_getBlockByNumber(number, false); Value null when the node does not have that block yet.</summary>
    Task<RpcAnswer<BlockHeader?>> GetBlockAsync(long number, CancellationToken cancellationToken);

    /// <summary>ERC-20 balanceOf(holder) of token at the block (eth_call with a block number).</summary>
    Task<RpcAnswer<BigInteger>> BalanceOfAsync(string token, string holder, long block, CancellationToken cancellationToken);

    /// <summary>
    /// eth_call at the latest block; <paramref name="to"/> null runs <paramref name="data"/> as creation code. A revert
    /// is the node's answer (<see cref="ContractCallResult.Reverted"/>), not a node failure: no other node is asked.
    /// </summary>
    Task<RpcAnswer<ContractCallResult>> CallAsync(string? to, byte[] data, CancellationToken cancellationToken);

    /// <summary>eth_getCode at the latest block: empty for an externally owned account or an unused address.</summary>
    Task<RpcAnswer<byte[]>> GetCodeAsync(string address, CancellationToken cancellationToken);
}

/// <summary>What an eth_call returned, or that it reverted (then <see cref="Output"/> is empty).</summary>
public sealed record ContractCallResult(bool Reverted, byte[] Output);

/// <summary>A node's answer, how long that node took, and which node it was.</summary>
public sealed record RpcAnswer<T>(T Value, TimeSpan Latency, RpcEndpoint Endpoint);

/// <summary>
/// No node answered: none is configured, or each one failed or timed out. The message names the nodes by
/// scheme://host[:port] and the kind of failure only; a node's error text may echo its URL.
/// </summary>
public sealed class ChainRpcUnavailableException(string message) : Exception(message);

/// <summary>
/// The answering node refused an eth_getLogs range as too many blocks or results: ask again with a smaller one.
/// Not a node failure. The message says the kind only, never the node's text or URL.
/// </summary>
public sealed class LogRangeRefusedException(string message) : Exception(message);
