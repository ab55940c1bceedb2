using System.Net;
using System.Text.Json;
using Nethereum.JsonRpc.Client;

namespace Echain.Core.Chain.Rpc;

/// <summary>One configured node: its RPC client and how long it is asked last after failing.</summary>
internal sealed class RpcNode : IDisposable
{
    /// <summary>The pause after a node's first failure in a row; each further failure doubles it, up to the cap.</summary>
    public static readonly TimeSpan FirstFailurePause = TimeSpan.FromSeconds(1);

    private readonly HttpClient _http;
    private readonly object _gate = new();
    private DateTimeOffset _pausedUntil;
    private int _failuresInARow;

    public RpcNode(RpcEndpoint endpoint, TimeSpan timeout, TimeProvider time)
    {
        Endpoint = endpoint;
        // Nethereum's own timeout is one static for the process; this client's timeout is per node. Userinfo in
        // the URL becomes basic authentication; Nethereum gets no logger, so it never logs the URL.
        _http = new HttpClient(new NodeErrorHandler(time) { InnerHandler = new SocketsHttpHandler { ConnectTimeout = timeout } })
        {
            Timeout = timeout,
        };
        Client = new RpcClient(endpoint.Url, _http);
    }

    public RpcEndpoint Endpoint { get; }
    public RpcClient Client { get; }

    public bool IsPaused(DateTimeOffset now)
    {
        lock (_gate) return _pausedUntil > now;
    }

    /// <summary>
    /// Pauses the node after a failure: for <paramref name="retryAfter"/> when the provider said so, otherwise for
    /// <see cref="FirstFailurePause"/> doubled per earlier failure in a row, at most <paramref name="cap"/>.
    /// </summary>
    public TimeSpan Failed(DateTimeOffset now, TimeSpan? retryAfter, TimeSpan cap)
    {
        lock (_gate)
        {
            _failuresInARow = Math.Min(_failuresInARow + 1, 30);
            var backoff = FirstFailurePause * Math.Pow(2, _failuresInARow - 1);
            var pause = retryAfter ?? (backoff < cap ? backoff : cap);
            _pausedUntil = now + pause;
            return pause;
        }
    }

    public void Answered()
    {
        lock (_gate)
        {
            _failuresInARow = 0;
            _pausedUntil = DateTimeOffset.MinValue;
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>
/// A non-2xx HTTP answer with what Nethereum would drop: Retry-After, and the JSON-RPC error some providers put in
/// the body of a 400, 413 or 429. <see cref="RpcMessage"/> is the node's text: for classification, never for output.
/// </summary>
internal sealed class NodeHttpErrorException(HttpStatusCode status, TimeSpan? retryAfter, int? rpcCode, string? rpcMessage)
    : HttpRequestException($"HTTP {(int)status}", null, status)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
    public int? RpcCode { get; } = rpcCode;
    public string? RpcMessage { get; } = rpcMessage;
}

/// <summary>Turns a non-2xx answer into <see cref="NodeHttpErrorException"/> before Nethereum's EnsureSuccessStatusCode sees it.</summary>
internal sealed class NodeErrorHandler(TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (response.IsSuccessStatusCode) return response;
        using (response)
        {
            var retryAfter = response.Headers.RetryAfter switch
            {
                { Delta: { } delta } => delta,
                { Date: { } date } => date - time.GetUtcNow(),
                _ => (TimeSpan?)null,
            };
            var (code, message) = RpcError(await response.Content.ReadAsStringAsync(cancellationToken));
            throw new NodeHttpErrorException(response.StatusCode, retryAfter > TimeSpan.Zero ? retryAfter : null, code, message);
        }
    }

    private static (int? Code, string? Message) RpcError(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            var root = json.RootElement.ValueKind == JsonValueKind.Array && json.RootElement.GetArrayLength() > 0
                ? json.RootElement[0] : json.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return (null, null);
            var error = root.TryGetProperty("error", out var e) && e.ValueKind == JsonValueKind.Object ? e : root;
            int? code = error.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : null;
            var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            return (code, message);
        }
        catch (JsonException)
        {
            return (null, null); // a proxy's HTML page or plain text: the status alone classifies it
        }
    }
}
