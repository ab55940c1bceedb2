using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;

namespace Echain.Demo.Feed;

/// <summary>
/// Every <see cref="Every"/>, one console line from GET /api/chain: the head, what is final, how far the projection
/// is known to equal the chain, and what the reconciler had to do (webhooks missed, reorgs rolled back).
/// </summary>
public sealed class ChainStatusLine(Uri api, HttpClient http)
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(15);
    private long _printed;

    public async Task PrintIfDueAsync(CancellationToken ct)
    {
        if (_printed != 0 && Stopwatch.GetElapsedTime(_printed) < Every) return;
        _printed = Stopwatch.GetTimestamp();
        using var response = await http.GetAsync(new Uri(api, "api/chain"), ct);
        if (!response.IsSuccessStatusCode)
        {
            Console.WriteLine($"[chain] GET /api/chain answered {(int)response.StatusCode}");
            return;
        }
        var chain = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
        var reconciler = chain.GetProperty("reconciler");
        var import = reconciler.GetProperty("import");
        Console.WriteLine(
            $"[chain] {chain.GetProperty("network").GetString()}: head {Text(chain, "head")}, final {Text(chain, "finalized")} " +
            $"({chain.GetProperty("confirmations").GetInt32()} confirmations), reconciled {Text(chain, "reconciled")}" +
            (import.ValueKind == JsonValueKind.Object && !import.GetProperty("done").GetBoolean()
                ? $", importing {import.GetProperty("percent").GetDouble():F1} %"
                : "") +
            $"; healed {reconciler.GetProperty("healed").GetInt64()}, rolled back {reconciler.GetProperty("rolledBack").GetInt64()}" +
            (chain.GetProperty("rpc").GetProperty("ok").GetBoolean() ? "" : "; no RPC node answers"));
    }

    private static string Text(JsonElement chain, string name) =>
        chain.GetProperty(name) is { ValueKind: JsonValueKind.Number } n ? n.GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture) : "-";
}
