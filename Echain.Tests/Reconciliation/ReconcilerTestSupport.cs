using System.Text.Json;
using System.Text.Json.Nodes;
using Echain.Demo.Emulator;
using Echain.Demo.Feed;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.Reconciliation;

/// <summary>What the reconciler's tests read: GET /api/chain, waiting for a pass, the API against the chain, whole-API snapshots.</summary>
internal static class ReconcilerTestSupport
{
    public static async Task<JsonElement> ChainAsync(this EchainTestHost host) => await host.GetJsonAsync("api/chain");

    public static long? Long(this JsonElement json, string name) =>
        json.GetProperty(name) is { ValueKind: JsonValueKind.Number } n ? n.GetInt64() : null;

    public static long Count(this JsonElement chain, string name) => chain.GetProperty("reconciler").GetProperty(name).GetInt64();

    /// <summary>Until the reconciled block reaches <paramref name="block"/> and the queue holds nothing more to apply.</summary>
    public static Task ReconciledAsync(this EchainTestHost host, long block, int seconds = 60) =>
        Eventually.TrueAsync(async () =>
            (await host.ChainAsync()).Long("reconciled") >= block && await host.QueueLengthAsync() == 0,
            $"the reconciler to reach block {block} with the queue drained", seconds);

    public static ApiVersusChain Comparer(this EchainTestHost host) =>
        new(host.Http, host.BaseAddress, host.Ledger.State, host.Deployment);

    public static CdpEmulator Emulator(this EchainTestHost host, double dropRate = 0, double duplicateRate = 0, int seed = 1) => new(new EmulatorOptions
    {
        RpcUrl = host.Anvil.RpcUrl,
        WebhookUrl = new Uri(host.BaseAddress, "api/webhooks/coinbase"),
        Subscriptions = ChainScenario.Subscriptions(host.Deployment),
        FromBlock = 0,
        PollInterval = TimeSpan.FromMilliseconds(50),
        DropRate = dropRate,
        DuplicateRate = duplicateRate,
        ShuffleWindow = 4,
        Seed = seed,
    });

    /// <summary>
    /// Every read a frontend makes about the scenario's events and wallets, as JSON, with the finality flags taken
    /// out (they depend on when a copy was compared, not on what the chain holds).
    /// </summary>
    public static async Task<string> SnapshotAsync(this EchainTestHost host, ChainScenario scenario)
    {
        var reads = new JsonObject();
        List<string> paths = ["api/events?limit=200"];
        foreach (var id in new[] { scenario.Concert, scenario.Talk, scenario.Free })
            paths.AddRange([$"api/events/{id}", $"api/events/{id}/tickets?limit=200", $"api/events/{id}/activity?limit=200"]);
        foreach (var wallet in scenario.Wallets)
            paths.AddRange([$"api/users/{wallet.Address}/tickets", $"api/users/{wallet.Address}/balances",
                $"api/users/{wallet.Address}/transactions?limit=200"]);
        foreach (var path in paths)
            reads[path] = WithoutFinality(JsonNode.Parse((await host.GetJsonAsync(path)).GetRawText()));
        return reads.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    private static JsonNode? WithoutFinality(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o:
                o.Remove("final");
                foreach (var (_, value) in o.ToList()) WithoutFinality(value);
                break;
            case JsonArray a:
                foreach (var item in a) WithoutFinality(item);
                break;
        }
        return node;
    }
}
