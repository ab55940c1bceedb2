using System.Net;
using System.Net.Http.Headers;
using System.Numerics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Echain.Core.Webhooks;
using Echain.Demo.Chain;
using Echain.Tests.Infrastructure;
using Echain.Tests.Webhooks;

namespace Echain.Tests.EndToEnd;

/// <summary>
/// Every CDP shape through the real endpoint (Kestrel, Redis stream, projector, PostgreSQL, read API): the envelope
/// and wallet.activity.detected are applied like the flat payload, health is recorded and shown, an unknown type is
/// acknowledged; a log that can never apply and bytes no text can hold are 400 with nothing queued.
/// </summary>
public sealed class CdpShapeTests(EchainTestHost host) : IClassFixture<EchainTestHost>
{
    private static readonly DateTimeOffset Start = new(2027, 9, 1, 20, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_envelope_with_X_Hook0_Id_is_applied_like_the_flat_payload()
    {
        var created = await host.Ledger.CreateEventAsync(await host.Ledger.NewWalletAsync(), "Envelope night", "Hook0", Start, Start.AddHours(2), 5, 1);
        var log = Assert.Single(created.Deliveries, d => d.EventName == "EventCreated");

        using var response = await PostAsync(Utf8(Envelope(log)), ("X-Hook0-Id", "hook0-" + Guid.NewGuid()));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, (await ReceiptAsync(response)).GetProperty("accepted").GetInt32());

        await host.DrainedAsync();
        var read = await host.GetJsonAsync($"api/events/{created.EventId}");
        Assert.Equal("Envelope night", read.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Wallet_activity_detected_is_applied_and_the_documented_example_acknowledged()
    {
        var organizer = await host.Ledger.NewWalletAsync();
        var created = await host.Ledger.CreateEventAsync(organizer, "Before", "v2", Start, Start.AddHours(2), 5, 1);
        await host.Webhooks.SendAllAsync(created.Deliveries);
        var updated = await host.Ledger.UpdateEventAsync(organizer, created.EventId, "After", "v2", Start, Start.AddHours(3), 1);

        using (var response = await PostAsync(Utf8(WalletActivity(Assert.Single(updated.Deliveries))), ("X-Event-Id", Guid.NewGuid().ToString())))
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await host.DrainedAsync();
        Assert.Equal("After", (await host.GetJsonAsync($"api/events/{created.EventId}")).GetProperty("title").GetString());

        // CDP's own example: USDC on base-mainnet, which this deployment does not project.
        var before = await host.QueuedTotalAsync();
        using var example = await PostAsync(Utf8(CdpShapeParserTests.WalletActivityDetected));
        Assert.Equal(HttpStatusCode.Accepted, example.StatusCode);
        var receipt = await ReceiptAsync(example);
        Assert.Equal((0, 1), (receipt.GetProperty("accepted").GetInt32(), receipt.GetProperty("ignored").GetInt32()));
        Assert.Equal(before, await host.QueuedTotalAsync());
    }

    [Fact]
    public async Task Health_status_updated_is_acknowledged_recorded_and_shown_in_health()
    {
        var before = await host.QueuedTotalAsync();
        using (var response = await PostAsync(Utf8(CdpShapeParserTests.HealthStatusUpdated)))
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        // An older update arriving later changes nothing: deliveries are not ordered.
        var older = CdpShapeParserTests.HealthStatusUpdated.Replace("2026-04-21T14:32:00.000Z", "2026-04-21T14:00:00.000Z")
            .Replace("degraded", "operational").Replace("9d3f2b1a-6e4c-4a8b-9f1d-2c7a5e8b4f60", "0b8c6a4e-1d2f-4e3a-8b9c-7d6e5f4a3b21");
        using (var response = await PostAsync(Utf8(older)))
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(before, await host.QueuedTotalAsync());

        using var health = await host.GetAsync("api/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal("no-store", health.Headers.CacheControl?.ToString()); // live: never cached, no ETag
        Assert.Null(health.Headers.ETag);
        var report = JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement;
        var cdp = report.GetProperty("cdp");
        Assert.Equal("degraded", cdp.GetProperty("status").GetString());
        Assert.Equal("onchain-data", cdp.GetProperty("service").GetString());
        Assert.Equal("9d3f2b1a-6e4c-4a8b-9f1d-2c7a5e8b4f60", cdp.GetProperty("eventId").GetString());
        Assert.True(report.GetProperty("postgres").GetProperty("ok").GetBoolean()); // the rest of the report is untouched
    }

    [Fact]
    public async Task An_unknown_type_is_acknowledged_and_nothing_is_queued()
    {
        var before = await host.QueuedTotalAsync();
        using var response = await PostAsync(Utf8("""{"eventId":"5b1f9c2e-7a3d-4e6b-8c1a-2f4e6d8b0a13","timestamp":"2026-04-21T14:32:00Z","eventType":"onramp.transaction.created","data":{"transactionId":"t1"}}"""));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(1, (await ReceiptAsync(response)).GetProperty("ignored").GetInt32());
        Assert.Equal(before, await host.QueuedTotalAsync());
    }

    [Fact]
    public async Task A_leading_byte_order_mark_is_accepted_and_signed_with_the_bytes()
    {
        var body = Encoding.UTF8.GetPreamble().Concat(Utf8(Flat("TicketUsed", """{"tokenId":"1"}"""))).ToArray();
        var before = await host.QueuedTotalAsync();
        using var response = await PostAsync(body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(before + 1, await host.QueuedTotalAsync());
    }

    public static TheoryData<string, string, string> NeverApplies => new()
    {
        { "EventCreated", """{"eventId":"900","creator":"0x61040e143a77f165ba44543af4a079f2c809d14b","description":"d","startTime":"1800000000","endTime":"1800003600","maxTickets":"10","ticketPrice":"1"}""", "parameters.title" },
        { "TicketUsed", "null", "parameters.tokenId" },
        { "EventUpdated", """{"eventId":"900","title":"t","description":"d","startTime":"253402300800","endTime":"253402300801","ticketPrice":"1"}""", "parameters.startTime" },
        { "Transfer", """{"from":"0x0000000000000000000000000000000000000000","to":"0x61040e143a77f165ba44543af4a079f2c809d14b"}""", "parameters.tokenId" },
    };

    [Theory]
    [MemberData(nameof(NeverApplies))]
    public async Task A_signed_log_that_can_never_apply_is_400_naming_the_field_and_nothing_is_queued(string eventName, string parameters, string field)
    {
        var problem = await AssertRejectedAsync(Utf8(Flat(eventName, parameters)));
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Invalid_utf8_is_400_and_nothing_is_queued()
    {
        var body = Utf8(Flat("TicketUsed", """{"tokenId":"1","note":"XX"}"""));
        var at = Array.IndexOf(body, (byte)'X');
        (body[at], body[at + 1]) = (0xC3, 0x28); // a lead byte without its continuation
        await AssertRejectedAsync(body);
    }

    [Fact]
    public async Task A_lone_surrogate_escape_is_400_naming_the_field_and_nothing_is_queued()
    {
        var problem = await AssertRejectedAsync(Utf8(Flat("EventUpdated",
            """{"eventId":"900","title":"\ud800","description":"d","startTime":"1800000000","endTime":"1800003600","ticketPrice":"1"}""")));
        Assert.Equal("parameters.title", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_title_with_U0000_round_trips_from_the_webhook_to_the_read_api()
    {
        const string title = "Nul\0Night \uFFFF0 and \uFFFF"; // the escape's own character and its '0' must survive too
        var organizer = await host.Ledger.NewWalletAsync();
        var created = await host.Ledger.CreateEventAsync(organizer, title, "line\0two", Start, Start.AddHours(2), 5, 1);
        var fan = await host.Ledger.NewWalletAsync();
        var purchase = await host.Ledger.BuyAsync(fan, created.EventId, "VIP\0");
        await host.Webhooks.SendAllAsync(created.Deliveries);
        await host.Webhooks.SendAllAsync(purchase.Deliveries);
        await host.DrainedAsync();

        var read = await host.GetJsonAsync($"api/events/{created.EventId}");
        Assert.Equal(title, read.GetProperty("title").GetString());
        Assert.Equal("line\0two", read.GetProperty("description").GetString());
        var ticket = Assert.Single((await host.GetJsonAsync($"api/users/{fan.Address}/tickets")).GetProperty("items").EnumerateArray());
        Assert.Equal("VIP\0", ticket.GetProperty("ticketType").GetString());
        Assert.Equal(title, ticket.GetProperty("event").GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_balance_summing_beyond_2_pow_256_is_applied_exactly()
    {
        // Ten mints of the largest uint256 to one holder: 10 * (2^256 - 1) > 10^78, beyond numeric(78,0).
        var holder = "0x" + Convert.ToHexString(Guid.NewGuid().ToByteArray()).ToLowerInvariant() + "00000000";
        var max = (BigInteger.One << 256) - 1;
        for (var i = 0; i < 10; i++)
        {
            var mint = new CdpActivity(70_000_000 + i, host.Deployment.PaymentToken, "Transfer", "Transfer(address,address,uint256)", 0,
                TestLedger.Network, new Dictionary<string, string> { ["from"] = "0x0000000000000000000000000000000000000000", ["to"] = holder, ["value"] = max.ToString() },
                "2027-09-01T20:00:00Z", holder, "0x" + Convert.ToHexString(Guid.NewGuid().ToByteArray()).ToLowerInvariant().PadLeft(64, 'b'), host.Deployment.PaymentToken);
            await host.Webhooks.SendAllAsync([mint]);
        }
        await host.DrainedAsync();

        var balance = Assert.Single((await host.GetJsonAsync($"api/users/{holder}/balances")).GetProperty("items").EnumerateArray());
        Assert.Equal((max * 10).ToString(), balance.GetProperty("balance").GetString());
    }

    // ------------------------------------------------------------------ helpers

    private string Flat(string eventName, string parameters) =>
        $$"""{"block_number":46218191,"contract_address":"{{host.Deployment.TicketContract}}","event_name":"{{eventName}}","log_index":3,"network":"{{TestLedger.Network}}","parameters":{{parameters}},"timestamp":"2026-05-19T21:22:10Z","transaction_hash":"0x{{Guid.NewGuid().ToString("N")}}{{Guid.NewGuid().ToString("N")}}"}""";

    /// <summary>The log as the {id, type, createdAt, data} envelope carries it: camelCase.</summary>
    private static string Envelope(CdpActivity log) => new JsonObject
    {
        ["id"] = "evt_" + Guid.NewGuid().ToString("N"),
        ["type"] = "onchain.activity.detected",
        ["createdAt"] = log.Timestamp,
        ["data"] = CamelLog(log),
    }.ToJsonString();

    /// <summary>The log as wallet.activity.detected carries it (numbers as strings, as in CDP's example).</summary>
    private static string WalletActivity(CdpActivity log)
    {
        var data = CamelLog(log);
        data["blockNumber"] = log.BlockNumber.ToString();
        data["logIndex"] = log.LogIndex.ToString();
        return new JsonObject
        {
            ["eventId"] = Guid.NewGuid().ToString(),
            ["timestamp"] = log.Timestamp,
            ["data"] = data,
            ["eventType"] = "wallet.activity.detected",
        }.ToJsonString();
    }

    private static JsonObject CamelLog(CdpActivity log) => new()
    {
        ["network"] = log.Network,
        ["blockNumber"] = log.BlockNumber,
        ["blockTimestamp"] = log.Timestamp,
        ["transactionHash"] = log.TransactionHash,
        ["logIndex"] = log.LogIndex,
        ["contractAddress"] = log.ContractAddress,
        ["eventName"] = log.EventName,
        ["eventSignature"] = log.EventSignature,
        ["parameters"] = new JsonObject(log.Parameters.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)p.Value))),
    };

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Signed as CDP signs, over the exact bytes, with the extra headers in h.</summary>
    private async Task<HttpResponseMessage> PostAsync(byte[] body, params (string Name, string Value)[] extra)
    {
        var signed = new List<KeyValuePair<string, string>> { new("content-type", "application/json") };
        signed.AddRange(extra.Select(h => KeyValuePair.Create(h.Name.ToLowerInvariant(), h.Value)));
        using var request = new HttpRequestMessage(HttpMethod.Post, host.Url("api/webhooks/coinbase")) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        foreach (var (name, value) in extra) request.Headers.Add(name, value);
        request.Headers.Add(CoinbaseSignature.HeaderName, CoinbaseSignature.Sign(EchainTestHost.Secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds(), signed, body));
        return await host.Http.SendAsync(request);
    }

    private static async Task<JsonElement> ReceiptAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();

    private async Task<JsonElement> AssertRejectedAsync(byte[] body)
    {
        var before = await host.QueuedTotalAsync();
        using var response = await PostAsync(body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        Assert.EndsWith("/invalid-payload", problem.GetProperty("type").GetString());
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Equal(before, await host.QueuedTotalAsync()); // nothing queued: the stream received no entry
        return problem;
    }
}
