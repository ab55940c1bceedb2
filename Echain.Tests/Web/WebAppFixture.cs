using System.Net;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using Echain.Demo;
using Echain.Demo.Chain;
using Echain.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Echain.Tests.Web;

/// <summary>
/// The real app (<see cref="EchainTestHost"/>: private PostgreSQL, Redis and anvil, a free Kestrel port) plus
/// headless Debian Chromium driven by Playwright. <see cref="RestartAsync"/> stops the app and starts it
/// again on the same port with the same databases, running a step in between while it is down.
/// </summary>
public class WebAppFixture : IAsyncLifetime
{
    private static readonly string[] ChromiumArgs =
        ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    private readonly EchainTestHost _host;
    private IPlaywright? _playwright;

    public WebAppFixture() : this(new EchainTestHost()) { }

    /// <summary>For a fixture that configures its app first (settings, logging) before it starts.</summary>
    protected WebAppFixture(EchainTestHost host) => _host = host;

    public Uri BaseUrl => _host.BaseAddress;
    public IBrowser Browser { get; private set; } = null!;
    public HttpClient Http => _host.Http;
    /// <summary>The running app's services (the hub publisher, for a duplicate publish).</summary>
    public IServiceProvider Services => _host.Services;
    /// <summary>Transactions on the app's node; <see cref="SendAsync(IEnumerable{CdpActivity})"/> delivers what they caused.</summary>
    public TestLedger Ledger => _host.Ledger;
    public EchainWallet Organizer { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await _host.InitializeAsync();
        // Wallet sign-in accepts messages for the page's own origin only, known once the port is: restart on it.
        _host.Settings["Echain:Auth:AllowedOrigins:0"] = _host.BaseAddress.GetLeftPart(UriPartial.Authority);
        await _host.StopAsync();
        await _host.StartAsync();
        Organizer = await Ledger.NewWalletAsync();
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
        await _host.DisposeAsync();
    }

    /// <summary>Stops the app, runs <paramref name="whileDown"/>, starts it again on the same port.</summary>
    public async Task RestartAsync(Func<Task> whileDown)
    {
        await _host.StopAsync();
        try
        {
            await whileDown();
        }
        finally
        {
            await _host.StartAsync(); // a failed step must not leave the other tests without their app
        }
    }

    /// <summary>
    /// Another instance on its own port over the same databases, for changes that must happen while the
    /// page's instance is down (as a second instance behind a load balancer would apply them).
    /// </summary>
    public async Task WithOtherInstanceAsync(Func<Uri, Task> action)
    {
        await using var other = await _host.StartSiblingAsync();
        await action(other.BaseAddress);
        await other.StopAsync();
    }

    public Task SendAsync(IEnumerable<CdpActivity> activities) => SendAsync(BaseUrl, activities);

    public async Task SendAsync(Uri instance, IEnumerable<CdpActivity> activities)
    {
        var sender = new WebhookSender(Http, new Uri(instance, "api/webhooks/coinbase"), EchainTestHost.Secret);
        await sender.SendAllAsync(activities);
    }

    /// <summary>Waits until the queue worker has processed (and emitted the messages of) every delivery sent.</summary>
    public Task DrainedAsync() => _host.DrainedAsync();

    /// <summary>Test setup only: waits until the API reports what the queue worker projected.</summary>
    public Task WaitForSoldAsync(BigInteger eventId, long sold, Uri? instance = null) =>
        Eventually.TrueAsync(async () =>
        {
            using var response = await Http.GetAsync(new Uri(instance ?? BaseUrl, $"api/events/{eventId}"));
            if (response.StatusCode != HttpStatusCode.OK) return false;
            var view = await response.Content.ReadFromJsonAsync<JsonElement>();
            return view.GetProperty("ticketsSold").GetInt64() == sold;
        }, $"event {eventId} to report {sold} tickets sold");

    /// <summary>Test setup only: waits until the API reports the holder's balance of the payment token (base units).</summary>
    public Task WaitForUsdcAsync(string holder, string balance) =>
        Eventually.TrueAsync(async () =>
        {
            var items = (await Http.GetFromJsonAsync<JsonElement>(new Uri(BaseUrl, $"api/users/{holder}/balances"))).GetProperty("items");
            return items.EnumerateArray().Any(b => b.GetProperty("balance").GetString() == balance);
        }, $"{holder} to hold {balance} of the payment token");

    public Task WaitForOwnerAsync(BigInteger tokenId, string owner, BigInteger eventId, Uri? instance = null) =>
        Eventually.TrueAsync(async () =>
        {
            using var response = await Http.GetAsync(new Uri(instance ?? BaseUrl, $"api/events/{eventId}/tickets"));
            if (response.StatusCode != HttpStatusCode.OK) return false;
            var page = await response.Content.ReadFromJsonAsync<JsonElement>();
            return page.GetProperty("items").EnumerateArray().Any(t =>
                t.GetProperty("tokenId").GetString() == tokenId.ToString() && t.GetProperty("owner").GetString() == owner);
        }, $"ticket {tokenId} to be owned by {owner}");

    /// <summary>
    /// Opens a page; the browser console goes to <paramref name="log"/> (the test's output) for diagnosis.
    /// <paramref name="beforeNavigation"/> prepares the page first (init scripts, exposed functions).
    /// </summary>
    public async Task<IPage> OpenAsync(string path, Action<string>? log = null, Func<IPage, Task>? beforeNavigation = null)
    {
        var page = await Browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
        if (log is not null)
        {
            page.Console += (_, message) => log($"[browser {message.Type}] {message.Text}");
            page.PageError += (_, error) => log($"[browser error] {error}");
        }
        if (beforeNavigation is not null) await beforeNavigation(page);
        await page.GotoAsync(new Uri(BaseUrl, path).ToString());
        return page;
    }
}
