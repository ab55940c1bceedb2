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
}

/// <summary>A node's answer, how long that node took, and which node it was.</summary>
public sealed record RpcAnswer<T>(T Value, TimeSpan Latency, RpcEndpoint Endpoint);

/// <summary>
/// No node answered: none is configured, or each one failed or timed out. The message names the nodes by
/// scheme://host[:port] and the kind of failure only; a node's error text may echo its URL.
/// </summary>
public sealed class ChainRpcUnavailableException(string message) : Exception(message);
