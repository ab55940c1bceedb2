using Echain.Core.Chain.Rpc;
using Microsoft.Extensions.Configuration;

namespace Echain.Tests.Chain;

/// <summary>Echain:Chain at start-up: a URL that cannot work is named by its setting, and its secrets are never shown.</summary>
public sealed class ChainOptionsTests
{
    [Fact]
    public void Http_and_https_urls_are_valid_and_the_defaults_name_base_sepolia_with_a_two_second_timeout()
    {
        var options = new ChainOptions { RpcUrls = ["http://127.0.0.1:8545", " https://user:pw@base-sepolia.example.org/v2/key "] };
        Assert.True(options.IsValid(out var error), error);
        Assert.Equal(("base-sepolia", TimeSpan.FromSeconds(2)), (options.Network, options.RpcTimeout));
        Assert.Equal(["http://127.0.0.1:8545", "https://base-sepolia.example.org"], options.Endpoints().Select(e => e.Display));
        Assert.Equal([0, 1], options.Endpoints().Select(e => e.Index));
        Assert.True(new ChainOptions().IsValid(out _)); // no node configured: the app starts and says rpc.ok=false
    }

    [Theory]
    [InlineData("not a url", "Echain:Chain:RpcUrls:1 is not an absolute http(s) URL.")]
    [InlineData("", "Echain:Chain:RpcUrls:1 is not an absolute http(s) URL.")]
    [InlineData("127.0.0.1:8545", "Echain:Chain:RpcUrls:1 is not an absolute http(s) URL.")]
    [InlineData("/rpc/secret-key", "Echain:Chain:RpcUrls:1 is not an absolute http(s) URL.")]
    [InlineData("ws://user:secret@node.example.org:8546/secret-key", "Echain:Chain:RpcUrls:1 (ws://node.example.org:8546) is not an absolute http(s) URL.")]
    [InlineData("ftp://node.example.org/?key=secret-key", "Echain:Chain:RpcUrls:1 (ftp://node.example.org) is not an absolute http(s) URL.")]
    public void A_url_that_is_not_http_is_refused_naming_the_setting_and_only_scheme_host_and_port(string bad, string expected)
    {
        var options = new ChainOptions { RpcUrls = ["http://127.0.0.1:8545", bad] };
        Assert.False(options.IsValid(out var error));
        Assert.Equal(expected, error);
        Assert.DoesNotContain("secret", error);
    }

    [Fact]
    public void An_empty_network_or_a_timeout_that_is_not_positive_is_refused()
    {
        Assert.False(new ChainOptions { Network = " " }.IsValid(out var network));
        Assert.StartsWith("Echain:Chain:Network", network);
        Assert.False(new ChainOptions { RpcTimeout = TimeSpan.Zero }.IsValid(out var timeout));
        Assert.StartsWith("Echain:Chain:RpcTimeout", timeout);
    }

    [Theory]
    [InlineData("https://user:secret@node.example.org/v2/secret-key?apikey=secret", "https://node.example.org")]
    [InlineData("http://127.0.0.1:1/key123", "http://127.0.0.1:1")]
    [InlineData("https://node.example.org:443/secret", "https://node.example.org")]
    [InlineData("http://[::1]:8545/", "http://[::1]:8545")]
    public void An_endpoint_shows_scheme_host_and_port_only(string url, string shown)
    {
        Assert.True(RpcEndpoint.TryParse(url, 3, out var endpoint));
        Assert.Equal(shown, endpoint.Display);
        Assert.Equal(shown, endpoint.ToString());
        Assert.Equal(3, endpoint.Index);
    }

    [Fact]
    public void The_reconciler_settings_default_to_genesis_the_network_confirmations_15_seconds_and_2000_block_logs()
    {
        var options = new ChainOptions();
        Assert.Equal((0L, (int?)null, TimeSpan.FromSeconds(15), (bool?)null, 2000),
            (options.StartBlock, options.Confirmations, options.ReconcileInterval, options.Reconcile, options.MaxLogRange));
        Assert.Equal(30, options.EffectiveConfirmations); // base-sepolia
        Assert.Equal(30, new ChainOptions { Network = "base-mainnet" }.EffectiveConfirmations);
        Assert.Equal(64, new ChainOptions { Network = "ethereum-mainnet" }.EffectiveConfirmations);
        Assert.Equal(0, new ChainOptions { Network = "base-mainnet", Confirmations = 0 }.EffectiveConfirmations);
        Assert.Equal(12, new ChainOptions { Network = "ethereum-mainnet", Confirmations = 12 }.EffectiveConfirmations);
    }

    [Fact]
    public void The_reconciler_runs_when_a_node_is_configured_unless_told_otherwise()
    {
        Assert.False(new ChainOptions().ReconcilerEnabled);
        Assert.True(new ChainOptions { RpcUrls = ["http://127.0.0.1:8545"] }.ReconcilerEnabled);
        Assert.False(new ChainOptions { RpcUrls = ["http://127.0.0.1:8545"], Reconcile = false }.ReconcilerEnabled);
        Assert.True(new ChainOptions { Reconcile = true }.ReconcilerEnabled);
    }

    [Fact]
    public void The_reconciler_settings_bind_from_the_chain_section()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Echain:Chain:StartBlock"] = "12345678",
            ["Echain:Chain:Confirmations"] = "5",
            ["Echain:Chain:ReconcileInterval"] = "00:01:00",
            ["Echain:Chain:Reconcile"] = "false",
            ["Echain:Chain:MaxLogRange"] = "500",
        }).Build();
        var options = configuration.GetSection(ChainOptions.Section).Get<ChainOptions>()!;
        Assert.Equal((12345678L, (int?)5, TimeSpan.FromMinutes(1), (bool?)false, 500),
            (options.StartBlock, options.Confirmations, options.ReconcileInterval, options.Reconcile, options.MaxLogRange));
        Assert.True(options.IsValid(out var error), error);
    }

    [Theory]
    [InlineData(nameof(ChainOptions.StartBlock), "Echain:Chain:StartBlock = -1 must be 0 or more.")]
    [InlineData(nameof(ChainOptions.Confirmations), "Echain:Chain:Confirmations = -1 must be 0 or more.")]
    [InlineData(nameof(ChainOptions.ReconcileInterval), "Echain:Chain:ReconcileInterval = 00:00:00 must be positive.")]
    [InlineData(nameof(ChainOptions.MaxLogRange), "Echain:Chain:MaxLogRange = 0 must be 1 or more.")]
    public void A_reconciler_setting_that_cannot_work_is_refused_by_name(string setting, string expected)
    {
        var options = new ChainOptions();
        switch (setting)
        {
            case nameof(ChainOptions.StartBlock): options.StartBlock = -1; break;
            case nameof(ChainOptions.Confirmations): options.Confirmations = -1; break;
            case nameof(ChainOptions.ReconcileInterval): options.ReconcileInterval = TimeSpan.Zero; break;
            case nameof(ChainOptions.MaxLogRange): options.MaxLogRange = 0; break;
        }
        Assert.False(options.IsValid(out var error));
        Assert.Equal(expected, error);
    }
}
