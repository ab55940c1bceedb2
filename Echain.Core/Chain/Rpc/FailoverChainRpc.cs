using System.Numerics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Contracts.MessageEncodingServices;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth;
using Nethereum.RPC.Eth.Blocks;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.RPC.Eth.Filters;
using Nethereum.RPC.Eth.Transactions;

namespace Echain.Core.Chain.Rpc;

/// <summary>
/// <see cref="IChainRpc"/> over Nethereum's <see cref="RpcClient"/>, one per configured node. A call goes to the
/// nodes in configured order and moves to the next one when a node errs, throttles or takes longer than
/// <see cref="ChainOptions.RpcTimeout"/>. A node that failed is asked last for a while: as long as its Retry-After
/// says, otherwise 1 s doubled per failure in a row up to <see cref="FailedNodePause"/>, so a dead primary costs one
/// timeout per pause instead of one per call; an answer resets it. When every node is paused, all are tried.
/// </summary>
public sealed class FailoverChainRpc : IChainRpc, IDisposable
{
    public static readonly TimeSpan FailedNodePause = TimeSpan.FromSeconds(30);

    private readonly RpcNode[] _nodes;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ILogger<FailoverChainRpc> _log;

    public FailoverChainRpc(IOptions<ChainOptions> options, TimeProvider time, ILogger<FailoverChainRpc> log)
    {
        _timeout = options.Value.RpcTimeout;
        _time = time;
        _log = log;
        _nodes = options.Value.Endpoints().Select(endpoint => new RpcNode(endpoint, _timeout, time)).ToArray();
        Endpoints = _nodes.Select(n => n.Endpoint).ToArray();
    }

    public IReadOnlyList<RpcEndpoint> Endpoints { get; }

    public void Dispose()
    {
        foreach (var node in _nodes) node.Dispose();
    }

    public async Task<RpcAnswer<long>> ChainIdAsync(CancellationToken cancellationToken) =>
        ToLong(await SendAsync("eth_chainId", client => new EthChainId(client).SendRequestAsync(), cancellationToken));

    public async Task<RpcAnswer<long>> HeadAsync(CancellationToken cancellationToken) =>
        ToLong(await SendAsync("eth_blockNumber", client => new EthBlockNumber(client).SendRequestAsync(), cancellationToken));

    public async Task<RpcAnswer<IReadOnlyList<ChainLog>>> GetLogsAsync(IReadOnlyCollection<string> addresses, long fromBlock, long toBlock,
        CancellationToken cancellationToken)
    {
        // Without an address eth_getLogs answers every contract's logs: never what a caller with an empty list means.
        if (addresses.Count == 0) throw new ArgumentException("eth_getLogs needs at least one address.", nameof(addresses));
        ArgumentOutOfRangeException.ThrowIfNegative(fromBlock);
        ArgumentOutOfRangeException.ThrowIfLessThan(toBlock, fromBlock);
        var filter = new NewFilterInput
        {
            Address = addresses.ToArray(),
            FromBlock = new BlockParameter(new HexBigInteger(fromBlock)),
            ToBlock = new BlockParameter(new HexBigInteger(toBlock)),
        };
        var answer = await SendAsync("eth_getLogs", client => new EthGetLogs(client).SendRequestAsync(filter), cancellationToken);
        return new RpcAnswer<IReadOnlyList<ChainLog>>(answer.Value.Select(ChainLog.From).ToArray(), answer.Latency, answer.Endpoint);
    }

    public async Task<RpcAnswer<BlockHeader?>> GetBlockAsync(long number, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        var answer = await SendAsync("eth_getBlockByNumber", client => new EthGetBlockWithTransactionsHashesByNumber(client)
            .SendRequestAsync(new BlockParameter(new HexBigInteger(number))), cancellationToken);
        var header = answer.Value is { } block
            ? new BlockHeader(checked((long)block.Number.Value), block.BlockHash.ToLowerInvariant(), block.ParentHash.ToLowerInvariant(),
                DateTimeOffset.FromUnixTimeSeconds(checked((long)block.Timestamp.Value)))
            : null;
        return new RpcAnswer<BlockHeader?>(header, answer.Latency, answer.Endpoint);
    }

    public async Task<RpcAnswer<BigInteger>> BalanceOfAsync(string token, string holder, long block, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(block);
        var encoding = new FunctionMessageEncodingService<Erc20BalanceOfFunction>(token);
        var input = encoding.CreateCallInput(new Erc20BalanceOfFunction { Owner = holder });
        var answer = await SendAsync("eth_call", client => new EthCall(client)
            .SendRequestAsync(input, new BlockParameter(new HexBigInteger(block))), cancellationToken);
        return new RpcAnswer<BigInteger>(encoding.DecodeSimpleTypeOutput<BigInteger>(answer.Value), answer.Latency, answer.Endpoint);
    }

    public async Task<RpcAnswer<ContractCallResult>> CallAsync(string? to, byte[] data, CancellationToken cancellationToken)
    {
        var input = new CallInput { To = to, Data = data.ToHex(prefix: true) };
        return await SendAsync("eth_call", async client =>
        {
            try
            {
                var output = await new EthCall(client).SendRequestAsync(input, BlockParameter.CreateLatest());
                return new ContractCallResult(false, output.HexToByteArray());
            }
            catch (RpcResponseException e) when (RpcErrorClassifier.Classify(null, e.RpcError?.Code, e.RpcError?.Message) == RpcErrorKind.Reverted)
            {
                // Caught inside the node's attempt: the node answered, and every node would answer the same.
                return new ContractCallResult(true, []);
            }
        }, cancellationToken);
    }

    public async Task<RpcAnswer<byte[]>> GetCodeAsync(string address, CancellationToken cancellationToken)
    {
        var answer = await SendAsync("eth_getCode", client => new EthGetCode(client).SendRequestAsync(address, BlockParameter.CreateLatest()),
            cancellationToken);
        return new RpcAnswer<byte[]>(answer.Value.HexToByteArray(), answer.Latency, answer.Endpoint);
    }

    /// <summary>Sends one request to the first node that answers it in time; every call goes through here.</summary>
    internal async Task<RpcAnswer<T>> SendAsync<T>(string method, Func<IClient, Task<T>> send, CancellationToken cancellationToken)
    {
        if (_nodes.Length == 0)
            throw new ChainRpcUnavailableException($"{method}: no node is configured ({ChainOptions.Section}:{nameof(ChainOptions.RpcUrls)}).");
        var failures = new List<string>();
        foreach (var node in InCallOrder(_time.GetUtcNow()))
        {
            var started = _time.GetTimestamp();
            try
            {
                var value = await send(node.Client).WaitAsync(_timeout, _time, cancellationToken);
                node.Answered();
                Measure(method, node, started, "ok");
                return new RpcAnswer<T>(value, _time.GetElapsedTime(started), node.Endpoint);
            }
            catch (Exception e) when (IsNodeFailure(e) && !cancellationToken.IsCancellationRequested)
            {
                var failure = NodeFailure.Of(e, method);
                Measure(method, node, started, failure.Outcome);
                if (failure.Outcome == NodeFailure.RangeRefused)
                {
                    // The node works; the range is the caller's to shrink, and another node would likely refuse it too.
                    node.Answered();
                    throw new LogRangeRefusedException($"{method}: the node refused the block range (too many blocks or results).");
                }
                var pause = node.Failed(_time.GetUtcNow(), failure.RetryAfter, FailedNodePause);
                failures.Add($"{node.Endpoint} ({failure.Description})");
                // The kind only: a node's error text may repeat the URL and its key.
                _log.LogWarning("RPC node {Index} ({Node}) failed {Method} after {ElapsedMs:F0} ms: {Failure}; asked last for {PauseSeconds:F0} s",
                    node.Endpoint.Index, node.Endpoint.Display, method, _time.GetElapsedTime(started).TotalMilliseconds,
                    failure.Description, pause.TotalSeconds);
            }
        }
        throw new ChainRpcUnavailableException($"{method}: no node answered: {string.Join(", ", failures)}.");
    }

    /// <summary>Nodes that have not failed lately first, each group in configured order; fixed before the first call pauses one.</summary>
    private RpcNode[] InCallOrder(DateTimeOffset now) => [.. _nodes.Where(n => !n.IsPaused(now)), .. _nodes.Where(n => n.IsPaused(now))];

    private void Measure(string method, RpcNode node, long started, string outcome)
    {
        var methodTag = new KeyValuePair<string, object?>("method", method);
        var nodeTag = new KeyValuePair<string, object?>("node", node.Endpoint.Index);
        EchainMetrics.RpcDuration.Record(_time.GetElapsedTime(started).TotalMilliseconds, methodTag, nodeTag,
            new KeyValuePair<string, object?>("outcome", outcome));
        if (outcome != "ok") EchainMetrics.RpcErrors.Add(1, methodTag, nodeTag, new KeyValuePair<string, object?>("kind", outcome));
    }

    private static bool IsNodeFailure(Exception e) =>
        e is RpcClientUnknownException or RpcClientTimeoutException or RpcResponseException or TimeoutException
            or HttpRequestException or OperationCanceledException;

    private static RpcAnswer<long> ToLong(RpcAnswer<HexBigInteger> answer) =>
        new(checked((long)answer.Value.Value), answer.Latency, answer.Endpoint);

    /// <summary>What one node's failure was: the metric's outcome, the operator's description (never the node's text), its Retry-After.</summary>
    private sealed record NodeFailure(string Outcome, string Description, TimeSpan? RetryAfter)
    {
        public const string RangeRefused = "range-refused";

        public static NodeFailure Of(Exception e, string method)
        {
            switch (e)
            {
                case TimeoutException or RpcClientTimeoutException or OperationCanceledException:
                    return new("timeout", "timeout", null);
                case RpcResponseException rpc:
                    return Classified(method, null, rpc.RpcError?.Code, rpc.RpcError?.Message, null, $"rpc error {rpc.RpcError?.Code}");
                case { InnerException: NodeHttpErrorException http }:
                    return Classified(method, (int)http.StatusCode!.Value, http.RpcCode, http.RpcMessage, http.RetryAfter,
                        $"http {(int)http.StatusCode!.Value}{(http.RpcCode is { } code ? $", rpc error {code}" : "")}");
                case { InnerException: HttpRequestException { StatusCode: { } status } }:
                    return Classified(method, (int)status, null, null, null, $"http {(int)status}");
                case { InnerException: HttpRequestException http }:
                    return new("unreachable", $"unreachable ({http.HttpRequestError})", null);
                default:
                    return new("error", e.GetType().Name, null);
            }
        }

        private static NodeFailure Classified(string method, int? status, int? code, string? message, TimeSpan? retryAfter, string description) =>
            RpcErrorClassifier.Classify(status, code, message) switch
            {
                RpcErrorKind.RateLimited => new("rate-limited", $"rate limited, {description}", retryAfter),
                // Only eth_getLogs has a range to shrink; elsewhere such an answer is the node's failure.
                RpcErrorKind.RangeRefused when method == "eth_getLogs" => new(RangeRefused, description, null),
                _ => new("error", description, null),
            };
    }
}

/// <summary>ERC-20 balanceOf(account): the one token read the reconciler makes.</summary>
[Function("balanceOf", "uint256")]
internal sealed class Erc20BalanceOfFunction : FunctionMessage
{
    [Parameter("address", "account", 1)]
    public string Owner { get; set; } = "";
}
