using Echain.Demo.Feed;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.LocalChain;

/// <summary>The demo's feed, run as ./run.sh runs it, against a real app and node: its tickets resolve to the app's metadata.</summary>
public sealed class DemoFeedTests : IAsyncLifetime
{
    // Its own node: the feed transacts from anvil's default accounts, which no other test may share.
    private readonly EchainTestHost _host = new();

    public Task InitializeAsync() => _host.InitializeAsync();

    [Fact]
    public async Task Each_feed_event_points_its_tokenURI_at_the_apps_tickets_or_at_the_base_given()
    {
        var state = _host.Ledger.State;
        await RunFeedAsync("--count", "1");
        var eventId = await state.TicketEventAsync(1);
        var appBase = new Uri(_host.BaseAddress, "api/tickets/").ToString();
        Assert.Equal(appBase, await state.TicketBaseUriAsync(eventId));
        Assert.Equal($"{appBase}1/metadata", await state.TokenUriAsync(1));

        // As run.sh passes ECHAIN_METADATA_BASE_URI: the given base wins, with the "/" the contract requires.
        await RunFeedAsync("--count", "1", "--metadata-base-uri", "https://wallets.example/echain/tickets");
        var next = await state.TicketEventAsync(2);
        Assert.NotEqual(eventId, next);
        Assert.Equal("https://wallets.example/echain/tickets/2/metadata", await state.TokenUriAsync(2));
        Assert.Equal($"{appBase}1/metadata", await state.TokenUriAsync(1)); // the earlier event keeps its own base
    }

    private async Task RunFeedAsync(params string[] flags)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var exit = await FeedCommand.RunAsync(
            ["--api", _host.BaseAddress.ToString(), "--rpc", _host.Anvil.RpcUrl.ToString(), "--interval-ms", "0", .. flags], timeout.Token);
        Assert.Equal(0, exit);
        Assert.False(timeout.IsCancellationRequested, "the feed did not finish in time");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();
}
