using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Echain.Demo.Chain;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.FunctionsHost;

/// <summary>The same requests and deliveries to the standalone host and the custom handler: the same answers, state and messages.</summary>
public sealed class FunctionsParityTests(EchainTestHost standalone, FunctionsTestHost functions)
    : IClassFixture<EchainTestHost>, IClassFixture<FunctionsTestHost>
{
    private static readonly DateTimeOffset Start = new(2027, 3, 1, 18, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Rejections => new()
    {
        "bad-signature", "stale-signature", "invalid-payload", "empty-body", "too-large", "not-json", "get", "bom-unsigned",
        "lone-surrogate", "never-applies",
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task Every_webhook_rejection_is_the_same_status_and_problem_bytes_and_queues_nothing(string name)
    {
        var body = await RealDeliveryAsync();
        var request = name switch
        {
            "bad-signature" => ClientRequest.SignedWebhook(body, secret: "wrong"),
            "stale-signature" => ClientRequest.SignedWebhook(body, timestamp: DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds()),
            "invalid-payload" => ClientRequest.SignedWebhook("""{"block_number":"x"}"""u8.ToArray()),
            "empty-body" => ClientRequest.SignedWebhook([]),
            "too-large" => ClientRequest.SignedWebhook(Encoding.UTF8.GetBytes(new string(' ', 1_048_577))),
            "not-json" => ClientRequest.SignedWebhook(body, contentType: "text/plain"),
            "get" => ClientRequest.SignedWebhook([]) with { Method = "GET" },
            // Signed over the body without its BOM, sent with one: the standalone host verifies the BOM bytes too.
            "bom-unsigned" => ClientRequest.SignedWebhook(body) with { Body = [0xEF, 0xBB, 0xBF, .. body] },
            // Bytes no text can hold (an escaped lone surrogate), and a log the projector's decoder refuses: both 400.
            "lone-surrogate" => ClientRequest.SignedWebhook(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("\"network\"", "\"note\":\"\\ud800\",\"network\""))),
            "never-applies" => ClientRequest.SignedWebhook(Encoding.UTF8.GetBytes(NeverApplies())),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };

        var expected = await request.SendAsync(standalone);
        var result = await functions.InvokeAsync("CoinbaseWebhook", new JsonObject { ["req"] = request.ToFunctionsReq() });

        Assert.True((int)expected.Status >= 400, $"{name}: standalone answered {(int)expected.Status} {expected.Body}");
        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.Equal(((int)expected.Status).ToString(), result.ResStatus);
        Assert.Equal("application/problem+json", expected.ContentType);
        Assert.Equal(expected.ContentType, result.Res["headers"]!["Content-Type"]!.GetValue<string>());
        Assert.Equal(expected.Body, result.ResBody);
        Assert.Equal(expected.Allow, result.Res["headers"]!["Allow"]?.GetValue<string>());
        Assert.False(result.Outputs.ContainsKey("outEvents"));
    }

    [Fact]
    public async Task A_body_signed_with_its_BOM_is_verified_over_the_bytes_the_host_stripped_like_standalone()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. await RealDeliveryAsync()];
        var request = ClientRequest.SignedWebhook(body);
        Assert.False(request.ToFunctionsReq()["Body"]!.GetValue<string>().StartsWith('\uFEFF')); // what the host hands over

        var expected = await request.SendAsync(standalone);
        var result = await functions.InvokeAsync("CoinbaseWebhook", new JsonObject { ["req"] = request.ToFunctionsReq() });

        Assert.Equal(((int)expected.Status).ToString(), result.ResStatus);
        if (expected.Status != HttpStatusCode.Accepted) Assert.Equal(expected.Body, result.ResBody);
        else Assert.Single(result.Array("outEvents")!);
    }

    [Fact]
    public async Task The_same_deliveries_give_the_same_database_state_and_the_same_realtime_messages_on_both_hosts()
    {
        // One history on the standalone host's node; both hosts are configured with the same (deterministic) contracts.
        var ledger = standalone.Ledger;
        Assert.Equal(ledger.Deployment, functions.Deployment);
        var organizer = await ledger.NewWalletAsync();
        var alice = await ledger.NewWalletAsync();
        var bob = await ledger.NewWalletAsync();
        var deliveries = new List<CdpActivity>();
        var created = await ledger.CreateEventAsync(organizer, "Premiere", "Theatre", Start, Start.AddHours(3), 40, 12);
        var eventId = created.EventId.ToString();
        deliveries.AddRange(created.Deliveries);
        deliveries.AddRange(await ledger.FundAsync(bob, 100));
        deliveries.AddRange(await ledger.FundAsync(alice, 50));
        var stalls = await ledger.BuyAsync(alice, created.EventId, "Stalls");
        var circle = await ledger.BuyAsync(bob, created.EventId, "Circle");
        deliveries.AddRange(stalls.Deliveries);
        deliveries.AddRange(circle.Deliveries);
        deliveries.AddRange((await ledger.ResellAsync(alice, bob, stalls.TokenId, 20)).Deliveries);
        deliveries.AddRange(await ledger.UpdateEventAsync(organizer, created.EventId, "Premiere (moved)", "Theatre",
            Start.AddDays(1), Start.AddDays(1).AddHours(3), 15));
        deliveries.AddRange(await ledger.CheckInAsync(organizer, circle.TokenId));

        // Standalone: signed HTTP deliveries, the Redis Stream queue, a real SignalR client signed in as Alice.
        await using var client = await standalone.ConnectAsync(alice.Address, eventId);
        // One at a time, as the Functions side below: concurrent consumers may apply deliveries in any order, and
        // while the final state is order-independent, intermediate messages (a balance, "event known yet?") are not.
        foreach (var activity in deliveries)
        {
            await standalone.Webhooks.SendAllAsync([activity]);
            await standalone.DrainedAsync();
        }

        // Functions: the same deliveries as CoinbaseWebhook invocations, each outEvents item as a ProcessChainEvent invocation.
        var signalRMessages = new List<JsonObject>();
        foreach (var activity in deliveries)
        {
            var request = ClientRequest.SignedWebhook(activity);
            var ingest = await functions.InvokeAsync("CoinbaseWebhook", new JsonObject { ["req"] = request.ToFunctionsReq() });
            Assert.True(ingest.ResStatus == "202", ingest.Text);
            foreach (var message in ingest.Array("outEvents") ?? []) // an ignored log (an Approval) queues nothing
            {
                var processed = await functions.InvokeAsync("ProcessChainEvent", new JsonObject { ["message"] = message!.DeepClone() },
                    ServiceBusDelivery.Metadata(Guid.NewGuid().ToString("N"), 1));
                Assert.Equal(HttpStatusCode.OK, processed.Status);
                signalRMessages.AddRange(processed.Array("signalRMessages")!.Select(m => m!.AsObject()));
            }
        }

        foreach (var read in new[]
                 {
                     $"api/events/{eventId}", $"api/events/{eventId}/tickets", "api/events",
                     $"api/users/{alice.Address}/tickets", $"api/users/{alice.Address}/balances", $"api/users/{alice.Address}/transactions",
                     $"api/users/{bob.Address}/tickets", $"api/users/{bob.Address}/balances", $"api/users/{bob.Address}/transactions",
                     $"api/users/{organizer.Address}/balances", $"api/users/{organizer.Address}/transactions",
                 })
            Assert.Equal((await standalone.GetJsonAsync(read)).GetRawText(), (await functions.GetJsonAsync(read)).GetRawText());

        // What Alice's connection receives: the event group and her own user id.
        var expected = signalRMessages
            .Where(m => m["groupName"]?.GetValue<string>() == $"event-{eventId}" || m["userId"]?.GetValue<string>() == alice.Address)
            .Select(m => Render(m["target"]!.GetValue<string>(), m["arguments"]!.AsArray().Single()!))
            .Order(StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(expected);
        try
        {
            await Eventually.TrueAsync(() => client.Messages.Count >= expected.Length, $"{expected.Length} messages on the standalone client", seconds: 10);
        }
        catch (Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{e.Message}\nexpected:\n{string.Join("\n", expected)}\nreceived:\n{string.Join("\n", client.Messages)}");
        }
        await Task.Delay(200); // nothing more may arrive
        var received = client.Messages.Select(m => Render(m.Target, JsonNode.Parse(m.Payload.GetRawText())!))
            .Order(StringComparer.Ordinal).ToArray();
        Assert.True(expected.SequenceEqual(received), $"expected:\n{string.Join("\n", expected)}\nreceived:\n{string.Join("\n", received)}");
    }

    /// <summary>The body of a real delivery: a USDC mint on the standalone host's node.</summary>
    /// <summary>A signed TicketUsed of the host's ticket contract with "parameters": null: the decoder needs tokenId.</summary>
    private string NeverApplies() =>
        $$"""{"block_number":5,"contract_address":"{{standalone.Deployment.TicketContract}}","event_name":"TicketUsed","log_index":0,"network":"{{TestLedger.Network}}","parameters":null,"transaction_hash":"0x{{new string('7', 64)}}"}""";

    private async Task<byte[]> RealDeliveryAsync() =>
        (await standalone.Ledger.FundAsync(await standalone.Ledger.NewWalletAsync(), 3)).Single().ToJson();

    /// <summary>Target and payload with every string re-encoded the same way (the hub and the handler escape differently).</summary>
    private static string Render(string target, JsonNode payload) => $"{target} {Canonical(payload)!.ToJsonString(Relaxed)}";

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Canonical).ToArray()),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonValue.Create(v.GetValue<string>()),
        _ => node?.DeepClone(),
    };
}
