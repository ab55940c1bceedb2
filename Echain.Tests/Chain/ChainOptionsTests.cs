using Echain.Core.Chain.Rpc;

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
}
