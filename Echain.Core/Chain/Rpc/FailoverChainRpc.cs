using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Nethereum.Hex.HexTypes;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth;
using Nethereum.RPC.Eth.Blocks;

namespace Echain.Core.Chain.Rpc;

/// <summary>
/// <see cref="IChainRpc"/> over Nethereum's <see cref="RpcClient"/>, one per configured node. A call goes to the
/// nodes in configured order and moves to the next one when a node errs or takes longer than
/// <see cref="ChainOptions.RpcTimeout"/>. A node that failed is asked last for <see cref="FailedNodePause"/>, so a
/// dead primary costs one timeout per pause instead of one per call; when every node has failed, all are tried.
/// </summary>
public sealed class FailoverChainRpc : IChainRpc, IDisposable
{
    public static readonly TimeSpan FailedNodePause = TimeSpan.FromSeconds(30);

    private readonly Node[] _nodes;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ILogger<FailoverChainRpc> _log;

    public FailoverChainRpc(IOptions<ChainOptions> options, TimeProvider time, ILogger<FailoverChainRpc> log)
    {
        _timeout = options.Value.RpcTimeout;
        _time = time;
        _log = log;
        _nodes = options.Value.Endpoints().Select(endpoint => new Node(endpoint, _timeout)).ToArray();
        Endpoints = _nodes.Select(n => n.Endpoint).ToArray();
    }

    public IReadOnlyList<RpcEndpoint> Endpoints { get; }

    public void Dispose()
    {
        foreach (var node in _nodes) node.Dispose();
    }

    public async Task<RpcAnswer<long>> ChainIdAsync(CancellationToken cancellationToken) =>
        ToLong(await CallAsync("eth_chainId", client => new EthChainId(client).SendRequestAsync(), cancellationToken));

    public async Task<RpcAnswer<long>> HeadAsync(CancellationToken cancellationToken) =>
        ToLong(await CallAsync("eth_blockNumber", client => new EthBlockNumber(client).SendRequestAsync(), cancellationToken));

    /// <summary>Sends one request to the first node that answers it in time; later calls (eth_getLogs, …) go through here too.</summary>
    internal async Task<RpcAnswer<T>> CallAsync<T>(string method, Func<IClient, Task<T>> send, CancellationToken cancellationToken)
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
                node.Recovered();
                return new RpcAnswer<T>(value, _time.GetElapsedTime(started), node.Endpoint);
            }
            catch (Exception e) when (IsNodeFailure(e) && !cancellationToken.IsCancellationRequested)
            {
                node.PauseUntil(_time.GetUtcNow() + FailedNodePause);
                var kind = FailureKind(e);
                failures.Add($"{node.Endpoint} ({kind})");
                // The kind only: a node's error text may repeat the URL and its key.
                _log.LogWarning("RPC node {Index} ({Node}) failed {Method} after {ElapsedMs:F0} ms: {Failure}",
                    node.Endpoint.Index, node.Endpoint.Display, method, _time.GetElapsedTime(started).TotalMilliseconds, kind);
            }
        }
        throw new ChainRpcUnavailableException($"{method}: no node answered: {string.Join(", ", failures)}.");
    }

    /// <summary>Nodes that have not failed lately first, each group in configured order; fixed before the first call pauses one.</summary>
    private Node[] InCallOrder(DateTimeOffset now) => [.. _nodes.Where(n => !n.IsPaused(now)), .. _nodes.Where(n => n.IsPaused(now))];

    private static bool IsNodeFailure(Exception e) =>
        e is RpcClientUnknownException or RpcClientTimeoutException or RpcResponseException or TimeoutException
            or HttpRequestException or OperationCanceledException;

    private static string FailureKind(Exception e) => e switch
    {
        TimeoutException or RpcClientTimeoutException or OperationCanceledException => "timeout",
        RpcResponseException rpc => $"rpc error {rpc.RpcError?.Code}",
        { InnerException: HttpRequestException { StatusCode: { } status } } => $"http {(int)status}",
        { InnerException: HttpRequestException http } => $"unreachable ({http.HttpRequestError})",
        _ => e.GetType().Name,
    };

    private static RpcAnswer<long> ToLong(RpcAnswer<HexBigInteger> answer) =>
        new(checked((long)answer.Value.Value), answer.Latency, answer.Endpoint);

    private sealed class Node : IDisposable
    {
        private readonly HttpClient _http;

        // UTC ticks, written by concurrent calls; a stale read only changes which node is asked first.
        private long _pausedUntil;

        public Node(RpcEndpoint endpoint, TimeSpan timeout)
        {
            Endpoint = endpoint;
            // Nethereum's own timeout is one static for the process; this client's timeout is per node. Userinfo in
            // the URL becomes basic authentication; Nethereum gets no logger, so it never logs the URL.
            _http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = timeout }) { Timeout = timeout };
            Client = new RpcClient(endpoint.Url, _http);
        }

        public RpcEndpoint Endpoint { get; }
        public RpcClient Client { get; }

        public bool IsPaused(DateTimeOffset now) => Interlocked.Read(ref _pausedUntil) > now.UtcTicks;

        public void PauseUntil(DateTimeOffset until) => Interlocked.Exchange(ref _pausedUntil, until.UtcTicks);

        public void Recovered() => Interlocked.Exchange(ref _pausedUntil, 0);

        public void Dispose() => _http.Dispose();
    }
}
