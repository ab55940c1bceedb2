using System.Net;
using System.Text.Json;
using Echain.LocalServices;
using Echain.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Echain.Tests.Chain;

/// <summary>GET /api/chain on the real standalone app over a real anvil: the node's values, failover, outages, secrets.</summary>
public sealed class ChainApiTests(AnvilServer anvil) : IClassFixture<AnvilServer>
{
    [Fact]
    public async Task The_answer_has_the_nodes_chain_id_and_a_head_that_grows_after_a_transaction()
    {
        await using var app = await StartAsync(anvil.RpcUrl.ToString());
        var deployment = await anvil.DeployAsync();
        var wallet = await anvil.WalletAsync(deployment);

        using var response = await app.GetAsync("api/chain");
        var before = await ReadAsync(response);
        await wallet.MintUsdcAsync(wallet.Address, 1_000_000);
        var after = await ReadAsync(await app.GetAsync("api/chain"));

        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        Assert.Equal("application/json; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(["network", "chainId", "head", "finalized", "reconciled", "confirmations", "ticketContracts", "paymentTokens", "rpc", "reconciler"],
            before.EnumerateObject().Select(p => p.Name));
        Assert.Equal("base-sepolia", before.GetProperty("network").GetString());
        Assert.Equal(AnvilOptions.ChainId, before.GetProperty("chainId").GetInt64());
        Assert.True(before.GetProperty("head").GetInt64() >= 2, $"head {before.GetProperty("head")} after a deployment");
        Assert.Equal(before.GetProperty("head").GetInt64() + 1, after.GetProperty("head").GetInt64());
        Assert.Equal(JsonValueKind.Null, before.GetProperty("finalized").ValueKind);
        Assert.Equal(JsonValueKind.Null, before.GetProperty("reconciled").ValueKind);
        Assert.Equal([app.Deployment.TicketContract], Strings(before.GetProperty("ticketContracts")));
        Assert.Equal([app.Deployment.PaymentToken], Strings(before.GetProperty("paymentTokens")));
        var rpc = before.GetProperty("rpc");
        Assert.Equal(["ok", "latencyMs"], rpc.EnumerateObject().Select(p => p.Name));
        Assert.True(rpc.GetProperty("ok").GetBoolean());
        Assert.InRange(rpc.GetProperty("latencyMs").GetDouble(), double.Epsilon, 2_000);
    }

    [Fact]
    public async Task A_dead_first_node_fails_over_to_the_next_and_the_configured_lists_are_lowercase()
    {
        await using var app = Configured($"http://127.0.0.1:{LoopbackPort.Free()}", anvil.RpcUrl.ToString());
        app.Settings["Echain:TicketContracts:0"] = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
        app.Settings["Echain:Chain:Network"] = "base-mainnet";
        await app.InitializeAsync();

        var chain = await ReadAsync(await app.GetAsync("api/chain"));

        Assert.True(chain.GetProperty("rpc").GetProperty("ok").GetBoolean(), chain.ToString());
        Assert.Equal(AnvilOptions.ChainId, chain.GetProperty("chainId").GetInt64());
        Assert.Equal("base-mainnet", chain.GetProperty("network").GetString());
        Assert.Equal(["0x5fbdb2315678afecb367f032d93f642f64180aa3"], Strings(chain.GetProperty("ticketContracts")));
    }

    [Fact]
    public async Task With_only_a_dead_node_holding_credentials_the_answer_is_200_with_ok_false_and_no_trace_of_the_url()
    {
        await using var app = await StartAsync("http://user:secret@127.0.0.1:1/key123");

        using var response = await app.GetAsync("api/chain");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var chain = JsonDocument.Parse(text).RootElement;
        Assert.Equal(JsonValueKind.Null, chain.GetProperty("chainId").ValueKind);
        Assert.Equal(JsonValueKind.Null, chain.GetProperty("head").ValueKind);
        Assert.Equal("""{"ok":false,"latencyMs":null}""", chain.GetProperty("rpc").GetRawText());
        foreach (var trace in new[] { "user", "secret", "key123", "127.0.0.1", "refused", "http:" })
            Assert.DoesNotContain(trace, text);
    }

    [Fact]
    public async Task Without_any_node_the_answer_is_200_with_ok_false_and_health_stays_healthy()
    {
        await using var app = await StartAsync();

        var chain = await ReadAsync(await app.GetAsync("api/chain"));
        var health = await app.GetJsonAsync("api/health");

        Assert.False(chain.GetProperty("rpc").GetProperty("ok").GetBoolean());
        Assert.Equal(JsonValueKind.Null, chain.GetProperty("head").ValueKind);
        Assert.Equal("healthy", health.GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("not a url", "Echain:Chain:RpcUrls:0 is not an absolute http(s) URL.")]
    [InlineData("ftp://user:secret@127.0.0.1:1/key123", "Echain:Chain:RpcUrls:0 (ftp://127.0.0.1:1) is not an absolute http(s) URL.")]
    public async Task A_setting_that_is_not_an_http_url_stops_the_start_naming_it_without_its_secrets(string url, string expected)
    {
        await using var app = Configured(url);

        var error = await Assert.ThrowsAsync<OptionsValidationException>(app.InitializeAsync);

        Assert.Equal(expected, error.Message);
        Assert.DoesNotContain("secret", error.ToString());
        Assert.DoesNotContain("key123", error.ToString());
    }

    private static async Task<EchainTestHost> StartAsync(params string[] rpcUrls)
    {
        var app = Configured(rpcUrls);
        await app.InitializeAsync();
        return app;
    }

    /// <summary>The app with these RPC URLs, not started yet (a test may add settings first).</summary>
    private static EchainTestHost Configured(params string[] rpcUrls)
    {
        var app = new EchainTestHost();
        app.Settings["Echain:Chain:RpcUrls:0"] = null; // not the host's own node
        for (var i = 0; i < rpcUrls.Length; i++) app.Settings[$"Echain:Chain:RpcUrls:{i}"] = rpcUrls[i];
        return app;
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET /api/chain: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();
}
