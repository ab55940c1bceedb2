using System.Globalization;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using Echain.Demo.Chain;

namespace Echain.Demo.Feed;

/// <summary>What one comparison found: how much was checked, and every difference (empty: the API tells the chain's truth).</summary>
public sealed record Comparison(int Events, int Tickets, int Wallets, IReadOnlyList<string> Differences);

/// <summary>
/// Compares what the API says with what the contracts answer: every event's sold count, every ticket's
/// owner and check-in, the USDC balance of every wallet it is asked about (and of every ticket owner),
/// and that no activity is dated in the future.
/// </summary>
public sealed class ApiVersusChain(HttpClient http, Uri api, ChainState chain, EchainDeployment deployment)
{
    public async Task<Comparison> CompareAsync(IEnumerable<string> wallets, CancellationToken ct = default)
    {
        var differences = new List<string>();
        var holders = new HashSet<string>(wallets.Select(w => w.ToLowerInvariant()));
        int events = 0, tickets = 0;
        await foreach (var e in PagesAsync("api/events", ct))
        {
            events++;
            var id = BigInteger.Parse(e.GetProperty("eventId").GetString()!, CultureInfo.InvariantCulture);
            var onChain = await chain.EventAsync(id);
            Expect(differences, $"event {id} ticketsSold", onChain.Sold.ToString(CultureInfo.InvariantCulture),
                e.GetProperty("ticketsSold").GetRawText());
            Expect(differences, $"event {id} title", onChain.Title, e.GetProperty("title").GetString());
            await foreach (var t in PagesAsync($"api/events/{id}/tickets", ct))
            {
                tickets++;
                var tokenId = BigInteger.Parse(t.GetProperty("tokenId").GetString()!, CultureInfo.InvariantCulture);
                var owner = await chain.OwnerOfAsync(tokenId);
                holders.Add(owner);
                Expect(differences, $"ticket {tokenId} owner", owner, t.GetProperty("owner").GetString());
                Expect(differences, $"ticket {tokenId} isUsed", (await chain.IsUsedAsync(tokenId)).ToString().ToLowerInvariant(),
                    t.GetProperty("isUsed").GetRawText());
            }
            await foreach (var a in PagesAsync($"api/events/{id}/activity", ct))
                if (a.GetProperty("blockTime").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddSeconds(2))
                    differences.Add($"event {id}: activity in tx {a.GetProperty("txHash").GetString()} is dated in the future ({a.GetProperty("blockTime")})");
        }
        foreach (var holder in holders)
        {
            var expected = (await chain.UsdcBalanceAsync(holder)).ToString(CultureInfo.InvariantCulture);
            var balances = await http.GetFromJsonAsync<JsonElement>(new Uri(api, $"api/users/{holder}/balances"), ct);
            var shown = balances.GetProperty("items").EnumerateArray()
                .FirstOrDefault(b => string.Equals(b.GetProperty("token").GetString(), deployment.PaymentToken, StringComparison.OrdinalIgnoreCase));
            var balance = shown.ValueKind == JsonValueKind.Object ? shown.GetProperty("balance").GetString() : "0";
            Expect(differences, $"wallet {holder} USDC balance", expected, balance);
        }
        return new Comparison(events, tickets, holders.Count, differences);
    }

    /// <summary>Compares until the API has caught up with the chain (deliveries are asynchronous) or the time is up.</summary>
    public async Task<Comparison> CompareUntilEqualAsync(IEnumerable<string> wallets, TimeSpan limit, CancellationToken ct = default)
    {
        var list = wallets.ToList();
        var deadline = DateTimeOffset.UtcNow + limit;
        while (true)
        {
            var comparison = await CompareAsync(list, ct);
            if (comparison.Differences.Count == 0 || DateTimeOffset.UtcNow >= deadline)
                return comparison;
            await Task.Delay(TimeSpan.FromMilliseconds(500), ct);
        }
    }

    private static void Expect(List<string> differences, string what, string? chainSays, string? apiSays)
    {
        if (!string.Equals(chainSays, apiSays, StringComparison.OrdinalIgnoreCase))
            differences.Add($"{what}: chain {chainSays}, API {apiSays ?? "(none)"}");
    }

    private async IAsyncEnumerable<JsonElement> PagesAsync(string path, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
    {
        string? cursor = null;
        do
        {
            var url = new Uri(api, $"{path}?limit=200{(cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor))}");
            var page = await http.GetFromJsonAsync<JsonElement>(url, ct);
            foreach (var item in page.GetProperty("items").EnumerateArray())
                yield return item;
            cursor = page.TryGetProperty("nextCursor", out var next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;
        }
        while (cursor is not null);
    }
}
