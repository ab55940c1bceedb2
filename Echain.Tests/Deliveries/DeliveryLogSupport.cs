using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Echain.Core.Webhooks;
using Echain.Tests.Infrastructure;
using Npgsql;

namespace Echain.Tests.Deliveries;

/// <summary>The standalone app with a fast delivery log pruner and a small body cap (so one test can exceed it).</summary>
public sealed class DeliveryLogHost : EchainTestHost
{
    public const int MaxBodyBytes = 4096;
    /// <summary>What the webhook reads at most (Coinbase:MaxBodyBytes): a larger body is 413, never read.</summary>
    public const int WebhookMaxBodyBytes = 16384;

    public DeliveryLogHost()
    {
        Settings["Echain:Deliveries:PruneInterval"] = "00:00:00.200";
        Settings["Echain:Deliveries:MaxBodyBytes"] = MaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Settings["Coinbase:MaxBodyBytes"] = WebhookMaxBodyBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}

/// <summary>The admin routes and the table as a test reads them.</summary>
public static class DeliveryLog
{
    public static async Task<(HttpStatusCode Status, JsonElement Body)> AdminAsync(EchainTestHost host, HttpMethod method, string relative,
        string? key = EchainTestHost.AdminKey)
    {
        using var request = new HttpRequestMessage(method, host.Url(relative));
        if (key is not null) request.Headers.Add("X-Echain-Admin-Key", key);
        using var response = await host.Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>GET /api/admin/deliveries?{query}, asserted 200: the page's items.</summary>
    public static async Task<JsonElement[]> ListAsync(EchainTestHost host, string query)
    {
        var (status, body) = await AdminAsync(host, HttpMethod.Get, "api/admin/deliveries?" + query);
        Assert.True(status == HttpStatusCode.OK, $"list {query}: {(int)status} {body}");
        return [.. body.GetProperty("deliveries").EnumerateArray()];
    }

    /// <summary>Waits until the writer has stored <paramref name="count"/> deliveries naming the transaction.</summary>
    public static async Task<JsonElement[]> EventuallyAsync(EchainTestHost host, string transactionHash, int count)
    {
        JsonElement[] items = [];
        await Eventually.TrueAsync(async () => (items = await ListAsync(host, $"transactionHash={transactionHash}")).Length >= count,
            $"{count} logged deliveries of {transactionHash}");
        Assert.Equal(count, items.Length);
        return items;
    }

    /// <summary>A CDP delivery signed with <paramref name="secret"/>; returns the answer and the signature header's value.</summary>
    public static async Task<(HttpStatusCode Status, string Signature)> SendSignedAsync(EchainTestHost host, byte[] body, string secret,
        params (string Name, string Value)[] extraHeaders)
    {
        var eventId = Guid.NewGuid().ToString();
        var signed = new List<KeyValuePair<string, string>> { new("content-type", "application/json"), new("x-event-id", eventId) };
        var signature = CoinbaseSignature.Sign(secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), signed, body);
        using var request = new HttpRequestMessage(HttpMethod.Post, host.Url("api/webhooks/coinbase")) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Add("X-Event-Id", eventId);
        request.Headers.Add(CoinbaseSignature.HeaderName, signature);
        foreach (var (name, value) in extraHeaders) request.Headers.Add(name, value);
        using var response = await host.Http.SendAsync(request);
        return (response.StatusCode, signature);
    }

    /// <summary>Every row of webhook_deliveries as JSON text (bytea as hex), to assert what is and is not stored.</summary>
    public static async Task<List<string>> RowsAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT row_to_json(d)::text FROM webhook_deliveries d ORDER BY id");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }
}
