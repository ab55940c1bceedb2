using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Echain.Tests.Infrastructure;

/// <summary>
/// SignalR Service's data-plane <c>:generateToken</c> endpoint, played by a real Kestrel server on a free loopback
/// port: a stand-in for Azure, which cannot be reached here. Records every call (path, query, Authorization) and
/// answers <c>{"token": "service-minted-…"}</c>, or the status a test switches it to.
/// </summary>
public sealed class SignalRServiceRestStandIn : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SignalRServiceRestStandIn()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.Run(AnswerAsync);
    }

    public sealed record Call(string Method, string Path, IReadOnlyDictionary<string, string> Query, string? Authorization, string Token);

    public ConcurrentQueue<Call> Calls { get; } = new();

    /// <summary>What the next calls answer instead of a token (e.g. 503); null answers tokens.</summary>
    public int? FailWith { get; set; }

    public Uri Url { get; private set; } = null!;

    public static async Task<SignalRServiceRestStandIn> StartAsync()
    {
        var standIn = new SignalRServiceRestStandIn();
        await standIn._app.StartAsync();
        standIn.Url = new Uri(standIn._app.Urls.First());
        return standIn;
    }

    private async Task AnswerAsync(HttpContext context)
    {
        var token = "service-minted-" + Guid.NewGuid().ToString("N");
        Calls.Enqueue(new Call(context.Request.Method, context.Request.Path.Value ?? "",
            context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString()),
            context.Request.Headers.Authorization.ToString() is { Length: > 0 } auth ? auth : null, token));
        if (FailWith is { } status)
        {
            context.Response.StatusCode = status;
            return;
        }
        await context.Response.WriteAsJsonAsync(new { token });
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
