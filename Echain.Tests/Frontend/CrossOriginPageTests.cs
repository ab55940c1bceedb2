using System.Net;
using System.Numerics;
using System.Text.Json;
using Echain.Tests.Infrastructure;
using Echain.Tests.Web;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Echain.Tests.Frontend;

/// <summary>
/// A second Kestrel that serves a near-empty page, as a frontend deployed on its own origin. It listens on 127.0.0.1:
/// reached as <c>http://127.0.0.1:{port}</c> it is the allowed origin, reached as <c>http://localhost:{port}</c> it is
/// another origin the app does not list (same server, same page, a different Origin header: only the origin differs).
/// </summary>
public sealed class FrontendPageServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FrontendPageServer(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }
    public string AllowedOrigin => $"http://127.0.0.1:{Port}";
    public string OtherOrigin => $"http://localhost:{Port}";

    /// <summary>Started synchronously: the app's settings need the port before the app starts.</summary>
    public static FrontendPageServer Start()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        // The SignalR JS client comes from the Echain app (a classic script needs no CORS); the test drives the rest.
        app.MapGet("/", (string app) => Results.Content(
            $"<!doctype html><title>frontend</title><script src=\"{WebUtility.HtmlEncode(app)}lib/signalr/signalr.min.js\"></script>",
            "text/html"));
        app.StartAsync().GetAwaiter().GetResult();
        return new FrontendPageServer(app, new Uri(app.Urls.First()).Port);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>The app with the page server's 127.0.0.1 origin as its one allowed CORS origin.</summary>
public sealed class CrossOriginFixture : WebAppFixture, IDisposable
{
    public CrossOriginFixture() : this(FrontendPageServer.Start()) { }

    private CrossOriginFixture(FrontendPageServer pages) : base(Allowing(pages)) => Pages = pages;

    public FrontendPageServer Pages { get; }

    private static EchainTestHost Allowing(FrontendPageServer pages)
    {
        var host = new EchainTestHost();
        host.Settings["Echain:Cors:AllowedOrigins:0"] = pages.AllowedOrigin;
        // The defaults, as deployed: the page's reads, negotiates and long polls must never reach them.
        host.Settings["Echain:RateLimits:Enabled"] = "true";
        return host;
    }

    public void Dispose() => Pages.DisposeAsync().AsTask().GetAwaiter().GetResult();
}

/// <summary>
/// Headless Chromium on the frontend's origin against the app on its own: reads (with ETag and a 304), negotiate with a
/// bearer, and SignalR connections over WebSockets and long polling (credentials) that join an event group and receive
/// a real event-updated message; the same page from an origin the app does not list is blocked by the browser.
/// </summary>
[Trait("Category", "Web")]
public sealed class CrossOriginPageTests(CrossOriginFixture app, ITestOutputHelper output) : IClassFixture<CrossOriginFixture>
{
    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddDays(50);

    private void Log(string line)
    {
        try { output.WriteLine(line); } catch (InvalidOperationException) { /* the test has finished */ }
    }

    private async Task<Microsoft.Playwright.IPage> OpenFrontendAsync(string origin)
    {
        var page = await app.Browser.NewPageAsync();
        page.Console += (_, message) => Log($"[browser {message.Type}] {message.Text}");
        await page.GotoAsync($"{origin}/?app={Uri.EscapeDataString(app.BaseUrl.ToString())}");
        return page;
    }

    // Runs in the frontend's origin: everything it calls is cross-origin. Connections are kept on window for the second step.
    private const string ConnectScript = """
        async ({ app, eventId, token }) => {
          const out = {};
          const read = await fetch(`${app}api/events/${eventId}`, { credentials: "include" });
          out.read = read.status;
          out.etag = read.headers.get("ETag");
          out.cache = read.headers.get("X-Cache");
          const again = await fetch(`${app}api/events/${eventId}`, { credentials: "include", headers: { "If-None-Match": out.etag } });
          out.revalidated = again.status;
          const negotiate = await fetch(`${app}api/negotiate`, { method: "POST", credentials: "include", headers: { Authorization: `Bearer ${token}` } });
          out.negotiate = negotiate.status;
          out.hubUrl = (await negotiate.json()).url;

          window.__updates = [];
          const connect = async (transport) => {
            const connection = new signalR.HubConnectionBuilder()
              .withUrl(`${app}api`, { accessTokenFactory: () => token, transport, withCredentials: true })
              .build();
            const proof = new Promise((resolve) => connection.on("connection-proof", resolve));
            connection.on("event-updated", (payload) => window.__updates.push({ transport: String(transport), text: JSON.stringify(payload) }));
            await connection.start();
            const { connectionId, proof: value } = await proof;
            const join = await fetch(`${app}api/realtime/groups/${eventId}`, {
              method: "POST", credentials: "include",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({ connectionId, proof: value }),
            });
            return { transport: connection.connection.transport?.constructor?.name ?? "?", join: join.status };
          };
          out.webSockets = await connect(signalR.HttpTransportType.WebSockets);
          out.longPolling = await connect(signalR.HttpTransportType.LongPolling);
          return out;
        }
        """;

    private async Task<BigInteger> CreateEventAsync(string title)
    {
        var created = await app.Ledger.CreateEventAsync(app.Organizer, title, "Cross-origin", Start, Start.AddHours(3), 10, 1_000_000);
        await app.SendAsync(created.Deliveries);
        await app.DrainedAsync();
        return created.EventId;
    }

    [Fact]
    public async Task The_allowed_origin_reads_negotiates_and_receives_realtime_messages_over_WebSockets_and_long_polling()
    {
        var eventId = await CreateEventAsync("Cross-origin show");
        using var tokenResponse = await app.Http.PostAsync(new Uri(app.BaseUrl, "api/dev/token"),
            new StringContent($$"""{"address":"{{TestLedger.RandomAddress()}}"}""", System.Text.Encoding.UTF8, "application/json"));
        var token = JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("accessToken").GetString();

        var page = await OpenFrontendAsync(app.Pages.AllowedOrigin);
        var result = await page.EvaluateAsync<JsonElement>(ConnectScript, new { app = app.BaseUrl.ToString(), eventId = eventId.ToString(), token });
        Log(result.ToString());
        Assert.Equal(200, result.GetProperty("read").GetInt32());
        Assert.StartsWith("\"", result.GetProperty("etag").GetString()); // exposed to the page: a strong ETag it can send back
        Assert.False(string.IsNullOrEmpty(result.GetProperty("cache").GetString()));
        Assert.Equal(304, result.GetProperty("revalidated").GetInt32());
        Assert.Equal(200, result.GetProperty("negotiate").GetInt32());
        Assert.EndsWith("/hubs/echain", result.GetProperty("hubUrl").GetString());
        Assert.Equal(204, result.GetProperty("webSockets").GetProperty("join").GetInt32());
        Assert.Equal(204, result.GetProperty("longPolling").GetProperty("join").GetInt32());

        // A real change on the chain, delivered by CDP: both connections in the group receive it.
        await app.SendAsync(await app.Ledger.UpdateEventAsync(app.Organizer, eventId, "Cross-origin show, moved", "", Start, Start.AddHours(4), 1_000_000));
        await Eventually.TrueAsync(async () => await page.EvaluateAsync<int>("() => window.__updates.length") >= 2,
            "both connections to receive event-updated");
        var updates = await page.EvaluateAsync<JsonElement>("() => window.__updates");
        Log(updates.ToString());
        Assert.All(updates.EnumerateArray(), u => Assert.Contains("moved", u.GetProperty("text").GetString()));
        Assert.Equal(2, updates.EnumerateArray().Select(u => u.GetProperty("transport").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task Another_origin_is_blocked_by_the_browser()
    {
        var eventId = await CreateEventAsync("Not for them");
        var page = await OpenFrontendAsync(app.Pages.OtherOrigin);
        var outcome = await page.EvaluateAsync<JsonElement>("""
            async ({ app, eventId }) => {
              const attempt = async (url, init) => {
                try { const r = await fetch(url, init); return `answered ${r.status}`; }
                catch (e) { return `blocked: ${e.name}`; }
              };
              return {
                read: await attempt(`${app}api/events/${eventId}`, { credentials: "include" }),
                negotiate: await attempt(`${app}api/negotiate`, { method: "POST", credentials: "include" }),
              };
            }
            """, new { app = app.BaseUrl.ToString(), eventId = eventId.ToString() });
        Log(outcome.ToString());
        Assert.Equal("blocked: TypeError", outcome.GetProperty("read").GetString());
        Assert.Equal("blocked: TypeError", outcome.GetProperty("negotiate").GetString());
    }
}
