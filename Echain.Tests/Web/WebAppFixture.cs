using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Numerics;
using System.Text.Json;
using Echain.Demo;
using Echain.Functions;
using Echain.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Playwright;

namespace Echain.Tests.Web;

/// <summary>
/// The real app on a free Kestrel port over private PostgreSQL and Redis, plus headless Debian
/// Chromium driven by Playwright. <see cref="RestartAsync"/> stops the app and starts it again on the
/// same port with the same databases, running a step in between while it is down.
/// </summary>
public sealed class WebAppFixture : IAsyncLifetime
{
    public const string Secret = "web-test-webhook-secret";
    public const string TicketContract = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
    public const string Usdc = "0x833589fcd6edb6e08f4c7c32d4f71b54bda02913";
    private const string SigningKey = "web-test-signing-key-0123456789abcdef0123456789";

    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private readonly RedisServer _redis = new();
    private TestDatabase? _database;
    private PostgresServer? _postgres;
    private WebApplication? _app;
    private IPlaywright? _playwright;
    private int _port;

    public Uri BaseUrl => new($"http://127.0.0.1:{_port}/");
    public IBrowser Browser { get; private set; } = null!;
    public HttpClient Http { get; } = new();
    public SimulatedChain Chain { get; } = new(TicketContract, Usdc);
    public string Organizer { get; } = SimulatedChain.RandomAddress();

    public async Task InitializeAsync()
    {
        _postgres = await PostgresServer.GetAsync();
        _database = await _postgres.CreateDatabaseAsync();
        _port = FreePort();
        _app = await StartAppAsync(_port);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ChromiumArgs,
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        if (_app is not null) await _app.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
        _redis.Dispose();
        Http.Dispose();
    }

    /// <summary>Stops the app, runs <paramref name="whileDown"/>, starts it again on the same port.</summary>
    public async Task RestartAsync(Func<Task> whileDown)
    {
        var app = _app ?? throw new InvalidOperationException("The app is not running.");
        await app.StopAsync();
        await app.DisposeAsync();
        _app = null;
        await whileDown();
        _app = await StartAppAsync(_port);
    }

    /// <summary>
    /// Another instance on its own port over the same databases, for changes that must happen while the
    /// page's instance is down (as a second instance behind a load balancer would apply them).
    /// </summary>
    public async Task WithOtherInstanceAsync(Func<Uri, Task> action)
    {
        var port = FreePort();
        await using var other = await StartAppAsync(port);
        await action(new Uri($"http://127.0.0.1:{port}/"));
        await other.StopAsync();
    }

    public Task SendAsync(IEnumerable<CdpActivity> activities) => SendAsync(BaseUrl, activities);

    public async Task SendAsync(Uri instance, IEnumerable<CdpActivity> activities)
    {
        var sender = new WebhookSender(Http, new Uri(instance, "api/webhooks/coinbase"), Secret);
        await sender.SendAllAsync(activities);
    }

    /// <summary>Test setup only: waits until the API reports what the queue worker projected.</summary>
    public Task WaitForSoldAsync(BigInteger eventId, long sold, Uri? instance = null) =>
        Eventually.TrueAsync(async () =>
        {
            using var response = await Http.GetAsync(new Uri(instance ?? BaseUrl, $"api/events/{eventId}"));
            if (response.StatusCode != HttpStatusCode.OK) return false;
            var view = await response.Content.ReadFromJsonAsync<JsonElement>();
            return view.GetProperty("ticketsSold").GetInt64() == sold;
        }, $"event {eventId} to report {sold} tickets sold");

    public Task WaitForOwnerAsync(BigInteger tokenId, string owner, BigInteger eventId, Uri? instance = null) =>
        Eventually.TrueAsync(async () =>
        {
            using var response = await Http.GetAsync(new Uri(instance ?? BaseUrl, $"api/events/{eventId}/tickets"));
            if (response.StatusCode != HttpStatusCode.OK) return false;
            var page = await response.Content.ReadFromJsonAsync<JsonElement>();
            return page.GetProperty("items").EnumerateArray().Any(t =>
                t.GetProperty("tokenId").GetString() == tokenId.ToString() && t.GetProperty("owner").GetString() == owner);
        }, $"ticket {tokenId} to be owned by {owner}");

    /// <summary>Opens a page; the browser console goes to <paramref name="log"/> (the test's output) for diagnosis.</summary>
    public async Task<IPage> OpenAsync(string path, Action<string>? log = null)
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
        if (log is not null)
        {
            page.Console += (_, message) => log($"[browser {message.Type}] {message.Text}");
            page.PageError += (_, error) => log($"[browser error] {error}");
        }
        await page.GotoAsync(new Uri(BaseUrl, path).ToString());
        return page;
    }

    private async Task<WebApplication> StartAppAsync(int port)
    {
        var database = _database ?? throw new InvalidOperationException("No database.");
        var postgres = _postgres ?? throw new InvalidOperationException("No PostgreSQL server.");
        var app = await EchainApp.CreateAsync([$"--urls=http://127.0.0.1:{port}"], builder =>
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Postgres"] = postgres.ConnectionString(database.Name),
                ["ConnectionStrings:Redis"] = _redis.Configuration,
                ["Coinbase:WebhookSecrets:0"] = Secret,
                ["Echain:TicketContracts:0"] = TicketContract,
                ["Echain:PaymentTokens:0"] = Usdc,
                ["Echain:Auth:SigningKey"] = SigningKey,
                ["Logging:LogLevel:Default"] = "Warning",
            }));
        await app.StartAsync();
        return app;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
