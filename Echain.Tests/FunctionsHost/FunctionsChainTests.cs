using System.Text.Json.Nodes;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.FunctionsHost;

/// <summary>The forwarded GetChain function: the custom handler answers /api/chain exactly as the standalone host does.</summary>
public sealed class FunctionsChainTests(AnvilServer anvil) : IClassFixture<AnvilServer>
{
    [Fact]
    public async Task Both_hosts_answer_the_same_chain_document_from_the_same_node()
    {
        await using var standalone = new EchainTestHost();
        await using var functions = new FunctionsTestHost();
        foreach (var app in new[] { standalone, functions })
        {
            app.Settings["Echain:Chain:RpcUrls:0"] = anvil.RpcUrl.ToString();
            await app.InitializeAsync();
        }
        await anvil.DeployAsync(); // a head above zero, and no transaction between the two reads below

        var expected = await ChainAsync(standalone);
        var actual = await ChainAsync(functions);

        Assert.True(actual["rpc"]!["ok"]!.GetValue<bool>(), actual.ToJsonString());
        Assert.True(actual["head"]!.GetValue<long>() >= 2, actual.ToJsonString());
        Assert.Equal(expected.ToJsonString(), actual.ToJsonString());
    }

    /// <summary>The document without rpc.latencyMs, the one field that differs between two reads of the same node.</summary>
    private static async Task<JsonObject> ChainAsync(EchainTestHost app)
    {
        var chain = JsonNode.Parse((await app.GetJsonAsync("api/chain")).GetRawText())!.AsObject();
        Assert.True(chain["rpc"]!["latencyMs"]!.GetValue<double>() > 0);
        chain["rpc"]!.AsObject().Remove("latencyMs");
        return chain;
    }
}
