using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Echain.Tests.Infrastructure;

/// <summary>
/// A JSON-RPC node between a client and a real one (the test's anvil), on a free loopback port of a real Kestrel
/// server, that misbehaves as providers do when switched to: throttled (429), refusing eth_getLogs ranges, or down
/// (503). Counts the requests it received per method, whatever it answered.
/// </summary>
public sealed class FaultyRpcProxy : IAsyncDisposable, IDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _forward = new();
    private readonly Uri _target;
    private readonly ConcurrentDictionary<string, int> _requests = new();
    private volatile Fault _fault = new Forwarding();

    private FaultyRpcProxy(Uri target)
    {
        _target = target;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        // Port 0: Kestrel binds a free loopback port itself, so no other process can take it between probe and bind.
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapPost("/", AnswerAsync);
    }

    /// <summary>Starts a proxy forwarding to <paramref name="target"/>, healthy until switched.</summary>
    public static async Task<FaultyRpcProxy> StartAsync(Uri target)
    {
        var proxy = new FaultyRpcProxy(target);
        await proxy._app.StartAsync();
        proxy.Url = new Uri(proxy._app.Urls.First().TrimEnd('/') + "/");
        return proxy;
    }

    public Uri Url { get; private set; } = null!;

    /// <summary>Forwards every request.</summary>
    public void Healthy() => _fault = new Forwarding();

    /// <summary>Answers every request 429 with Alchemy's body, and Retry-After in seconds when given.</summary>
    public void RateLimited(TimeSpan? retryAfter) => _fault = new Throttled(retryAfter);

    /// <summary>Refuses eth_getLogs over more than <paramref name="blocks"/> blocks as the public Base RPC does; forwards the rest.</summary>
    public void MaxLogRange(long blocks) => _fault = new RangeLimited(blocks);

    /// <summary>Answers every request 503, as a provider's load balancer with no node behind it.</summary>
    public void Unavailable() => _fault = new Down();

    /// <summary>Requests received for <paramref name="method"/> since the start, answered or not.</summary>
    public int Requests(string method) => _requests.GetValueOrDefault(method);

    private async Task AnswerAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var request = JsonNode.Parse(body);
        var method = request?["method"]?.GetValue<string>() ?? "(batch)";
        _requests.AddOrUpdate(method, 1, (_, n) => n + 1);
        switch (_fault)
        {
            case Throttled throttled:
                if (throttled.RetryAfter is { } wait)
                    context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await WriteAsync(context, HttpStatusCode.TooManyRequests, Error(request, 429,
                    "Your app has exceeded its compute units per second capacity. If you have retries enabled, you can safely ignore this message."));
                return;
            case Down:
                context.Response.StatusCode = (int)HttpStatusCode.ServiceUnavailable;
                await context.Response.WriteAsync("no healthy upstream", context.RequestAborted);
                return;
            case RangeLimited limited when method == "eth_getLogs" && Blocks(request) > limited.Blocks:
                await WriteAsync(context, HttpStatusCode.OK, Error(request, -32614, $"eth_getLogs is limited to a {limited.Blocks} block range"));
                return;
        }
        using var forwarded = await _forward.PostAsync(_target, new StringContent(body, Encoding.UTF8, "application/json"), context.RequestAborted);
        context.Response.StatusCode = (int)forwarded.StatusCode;
        context.Response.ContentType = "application/json";
        await forwarded.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
    }

    /// <summary>The blocks an eth_getLogs asks for; 0 when a bound is a tag such as "latest" (not refused: forwarded).</summary>
    private static long Blocks(JsonNode? request)
    {
        var filter = request?["params"]?[0];
        return Number(filter?["fromBlock"]) is { } from && Number(filter?["toBlock"]) is { } to ? to - from + 1 : 0;
    }

    private static long? Number(JsonNode? hex) =>
        hex?.GetValue<string>() is { } text && text.StartsWith("0x", StringComparison.Ordinal)
            ? long.Parse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
            : null;

    private static string Error(JsonNode? request, int code, string message) => new JsonObject
    {
        ["jsonrpc"] = "2.0",
        ["id"] = request?["id"]?.DeepClone(),
        ["error"] = new JsonObject { ["code"] = code, ["message"] = message },
    }.ToJsonString();

    private static async Task WriteAsync(HttpContext context, HttpStatusCode status, string json)
    {
        context.Response.StatusCode = (int)status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json, context.RequestAborted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _forward.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private abstract record Fault;
    private sealed record Forwarding : Fault;
    private sealed record Throttled(TimeSpan? RetryAfter) : Fault;
    private sealed record RangeLimited(long Blocks) : Fault;
    private sealed record Down : Fault;
}
