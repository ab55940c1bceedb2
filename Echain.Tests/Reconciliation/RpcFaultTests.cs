using System.Net;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.Reconciliation;

/// <summary>
/// The reconciler's only node misbehaves as providers do: down, throttling, refusing wide eth_getLogs ranges. The app
/// keeps serving and says what is wrong; once the node answers again (even with a small range cap) the reconciler
/// catches up by itself, and nothing was lost in between.
/// </summary>
public sealed class RpcFaultTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2027, 11, 1, 20, 0, 0, TimeSpan.Zero);
    private readonly AnvilServer _anvil = new();
    private FaultyRpcProxy? _proxy;
    private EchainTestHost? _host;

    public async Task InitializeAsync()
    {
        _proxy = await FaultyRpcProxy.StartAsync(_anvil.RpcUrl);
        _host = EchainTestHost.OnNode(_anvil).Reconciling(confirmations: 1, TimeSpan.FromMilliseconds(300));
        _host.Settings["Echain:Chain:RpcUrls:0"] = _proxy.Url.ToString();
        await _host.InitializeAsync();
    }

    [Fact]
    public async Task Down_throttled_and_range_capped_the_node_leaves_the_app_serving_and_the_reconciler_catches_up()
    {
        var (host, proxy, ledger) = (_host!, _proxy!, _host!.Ledger);
        proxy.Unavailable();
        var organizer = await ledger.NewWalletAsync();
        var created = await ledger.CreateEventAsync(organizer, "Offline", "", Start, Start.AddHours(1), 5, 0);
        var fan = await ledger.NewWalletAsync();
        var purchase = await ledger.BuyAsync(fan, created.EventId, "GA");
        await _anvil.MineAsync(2);

        await Eventually.TrueAsync(async () => (await host.GetJsonAsync("api/health")).GetProperty("status").GetString() == "degraded",
            "health to say degraded");
        var health = await host.GetJsonAsync("api/health");
        Assert.False(health.GetProperty("chain").GetProperty("rpcOk").GetBoolean());
        Assert.Contains("RPC", health.GetProperty("chain").GetProperty("problem").GetString());
        Assert.False((await host.ChainAsync()).GetProperty("rpc").GetProperty("ok").GetBoolean());
        using (var events = await host.GetAsync("api/events")) Assert.Equal(HttpStatusCode.OK, events.StatusCode); // still serving

        proxy.RateLimited(TimeSpan.FromSeconds(1));
        await Task.Delay(TimeSpan.FromSeconds(1)); // a few passes meet the 429s
        Assert.Empty((await host.GetJsonAsync("api/events")).GetProperty("items").EnumerateArray());

        proxy.MaxLogRange(2);
        await host.ReconciledAsync(purchase.Purchase.BlockNumber);
        Assert.Equal(1, (await host.GetJsonAsync($"api/events/{created.EventId}")).GetProperty("ticketsSold").GetInt64());
        Assert.True(proxy.Requests("eth_getLogs") > 1);
        var comparison = await host.Comparer().CompareAsync([organizer.Address, fan.Address]);
        Assert.Empty(comparison.Differences);
        await Eventually.TrueAsync(async () => (await host.GetJsonAsync("api/health")).GetProperty("status").GetString() == "healthy",
            "health to recover");

        proxy.Healthy();
        var later = await ledger.BuyAsync(fan, created.EventId, "VIP");
        await _anvil.MineAsync(1);
        await host.ReconciledAsync(later.Purchase.BlockNumber);
        Assert.Equal(2, (await host.GetJsonAsync($"api/events/{created.EventId}")).GetProperty("ticketsSold").GetInt64());
        var chain = await host.ChainAsync();
        Assert.True(chain.Count("imported") + chain.Count("healed") >= 5, chain.GetRawText()); // the creation, 2 × (mint, purchase)
    }

    public async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        if (_proxy is not null) await _proxy.DisposeAsync();
        _anvil.Dispose();
    }
}
