using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Echain.Core.Chain;
using Echain.Core.Queue;
using Echain.Core.Realtime;
using Echain.Demo.Chain;
using Echain.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Echain.Tests.FunctionsHost;

/// <summary>
/// The custom-handler contract: exactly what the Functions host POSTs (Data/Metadata shapes, doubly encoded
/// metadata, numbers as strings) against the real app in Functions mode, asserting the Outputs it answers.
/// </summary>
public sealed class FunctionsContractTests(FunctionsTestHost functions) : IClassFixture<FunctionsTestHost>
{
    private static readonly DateTimeOffset Start = new(2026, 12, 24, 19, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_handler_answers_the_readiness_probe_and_forwarded_health_without_a_queue()
    {
        using var root = await functions.GetAsync("");
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        var health = await functions.GetJsonAsync("api/health");
        Assert.Equal("healthy", health.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, health.GetProperty("queue").ValueKind);
    }

    [Fact]
    public async Task CoinbaseWebhook_outputs_the_events_as_json_objects_and_a_202()
    {
        var created = await functions.Ledger.CreateEventAsync(await functions.Ledger.NewWalletAsync(), "Gala", "Hall", Start, Start.AddHours(2), 50, 10);
        var activity = created.Deliveries.Single();
        var request = ClientRequest.SignedWebhook(activity);

        var result = await functions.InvokeAsync("CoinbaseWebhook", new JsonObject { ["req"] = request.ToFunctionsReq() }, request.ToFunctionsMetadata("CoinbaseWebhook"));

        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.Equal("202", result.ResStatus);
        Assert.Equal("application/json", result.Res["headers"]!["Content-Type"]!.GetValue<string>());
        var receipt = JsonNode.Parse(result.ResBody)!;
        Assert.Equal(1, receipt["accepted"]!.GetValue<int>());
        Assert.Equal(0, receipt["ignored"]!.GetValue<int>());
        var item = Assert.Single(result.Array("outEvents")!);
        Assert.Equal(JsonValueKind.Object, item!.GetValueKind()); // an object, never a (base64-able) string
        var chainEvent = ChainEventMessage.TryDeserialize(item.ToJsonString(), out var error);
        Assert.True(chainEvent is not null, error);
        Assert.Equal("EventCreated", chainEvent.EventName);
        Assert.Equal(created.EventId.ToString(), chainEvent.Parameters["eventId"]);
        Assert.Equal(activity.TransactionHash, chainEvent.TransactionHash);
        Assert.Equal(request.Headers.Single(h => h.Key == "X-Event-Id").Value, chainEvent.DeliveryId);
    }

    [Fact]
    public async Task CoinbaseWebhook_with_a_bad_signature_answers_401_and_outputs_no_events()
    {
        var activity = (await functions.Ledger.FundAsync(await functions.Ledger.NewWalletAsync(), 5)).Single();
        var request = ClientRequest.SignedWebhook(activity.ToJson(), secret: "not-the-secret");

        var result = await functions.InvokeAsync("CoinbaseWebhook", new JsonObject { ["req"] = request.ToFunctionsReq() });

        Assert.Equal(HttpStatusCode.OK, result.Status);
        Assert.Equal("401", result.ResStatus);
        Assert.Equal("application/problem+json", result.Res["headers"]!["Content-Type"]!.GetValue<string>());
        Assert.False(result.Outputs.ContainsKey("outEvents"));
        Assert.Equal("https://echain.dev/problems/invalid-signature", JsonNode.Parse(result.ResBody)!["type"]!.GetValue<string>());
    }

    [Fact]
    public async Task ProcessChainEvent_projects_invalidates_and_outputs_the_exact_signalr_messages()
    {
        var buyer = await functions.Ledger.NewWalletAsync();
        var created = await functions.Ledger.CreateEventAsync(await functions.Ledger.NewWalletAsync(), "Opera", "House", Start, Start.AddHours(3), 20, 7);
        var eventId = created.EventId.ToString();
        await DeliverAsync(created.Deliveries);
        // Warm the cache with the old state: after processing, the forwarded read must not come from it.
        Assert.Equal(0, (await functions.GetJsonAsync($"api/events/{eventId}")).GetProperty("ticketsSold").GetInt64());
        Assert.Equal("hit", (await functions.GetAsync($"api/events/{eventId}")).Headers.GetValues("X-Cache").Single());

        // The purchase's own logs (payment, mint, TicketPurchased); its funding is not what this test is about.
        var purchase = await functions.Ledger.BuyAsync(buyer, created.EventId, "Balcony");
        var events = await IngestAsync(purchase.Purchase);
        var messages = new List<JsonNode?>();
        foreach (var (chainEvent, i) in events.Select((e, i) => (e, i)))
        {
            // Three encodings the host may use for the message body: object, JSON string, base64 of the JSON.
            JsonNode message = (i % 3) switch
            {
                0 => chainEvent.DeepClone(),
                1 => JsonValue.Create(chainEvent.ToJsonString()),
                _ => JsonValue.Create(Convert.ToBase64String(Encoding.UTF8.GetBytes(chainEvent.ToJsonString()))),
            };
            var result = await ProcessAsync(message, deliveryCount: 1);
            Assert.Equal(HttpStatusCode.OK, result.Status);
            messages.AddRange(result.Array("signalRMessages")!);
        }

        // The payload carries its stream and position (assigned in PostgreSQL, the same on both hosts).
        var purchasedSeq = messages.Single(m => m!["target"]!.GetValue<string>() == "ticket-purchased")!["arguments"]![0]!["seq"]!.GetValue<long>();
        Assert.True(purchasedSeq > 1);
        Assert.Contains(messages, m => m!.ToJsonString() == new JsonObject
        {
            ["target"] = "ticket-purchased",
            ["arguments"] = new JsonArray(new JsonObject
            {
                ["ticketId"] = purchase.TokenId.ToString(), ["buyer"] = buyer.Address, ["eventId"] = eventId,
                ["stream"] = $"event-{eventId}", ["seq"] = purchasedSeq,
            }),
            ["groupName"] = $"event-{eventId}",
        }.ToJsonString());
        var notification = messages.Single(m => m!["target"]!.GetValue<string>() == "notification" && m["userId"]?.GetValue<string>() == buyer.Address
            && m["arguments"]![0]!["type"]!.GetValue<string>() == "ticket-purchased");
        Assert.False(notification!.AsObject().ContainsKey("groupName"));
        Assert.All(messages, m => Assert.Equal(JsonValueKind.Array, m!["arguments"]!.GetValueKind()));
        Assert.All(messages, m => Assert.True(m!["groupName"] is not null ^ m["userId"] is not null));

        var after = await functions.GetJsonAsync($"api/events/{eventId}");
        Assert.Equal(1, after.GetProperty("ticketsSold").GetInt64());
        var ticket = Assert.Single((await functions.GetJsonAsync($"api/users/{buyer.Address}/tickets")).GetProperty("items").EnumerateArray());
        Assert.Equal("Balcony", ticket.GetProperty("ticketType").GetString());
    }

    [Fact]
    public async Task ProcessChainEvent_redelivered_after_success_has_no_effects_and_no_messages()
    {
        var created = await functions.Ledger.CreateEventAsync(await functions.Ledger.NewWalletAsync(), "Film", "Cinema", Start, Start.AddHours(2), 5, 1);
        var events = await IngestAsync(created.Deliveries);
        var first = await ProcessAsync(events[0], deliveryCount: 1);
        Assert.NotEmpty(first.Array("signalRMessages")!);
        var before = (await functions.GetJsonAsync($"api/events/{created.EventId}")).GetRawText();

        var second = await ProcessAsync(events[0].DeepClone(), deliveryCount: 2);

        Assert.Equal(HttpStatusCode.OK, second.Status);
        Assert.Empty(second.Array("signalRMessages")!);
        Assert.Equal(before, (await functions.GetJsonAsync($"api/events/{created.EventId}")).GetRawText());
    }

    [Fact]
    public async Task ProcessChainEvent_fails_while_postgres_refuses_connections_and_the_redelivery_emits_the_messages()
    {
        var created = await functions.Ledger.CreateEventAsync(await functions.Ledger.NewWalletAsync(), "Talk", "Lab", Start, Start.AddHours(1), 5, 1);
        var events = await IngestAsync(created.Deliveries);
        await using var admin = NpgsqlDataSource.Create(functions.Postgres.ConnectionString("postgres"));
        await Sql(admin, $"ALTER DATABASE \"{functions.DatabaseName}\" ALLOW_CONNECTIONS false");
        await Sql(admin, $"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{functions.DatabaseName}'");
        try
        {
            var failed = await ProcessAsync(events[0], deliveryCount: 1);
            Assert.Equal(HttpStatusCode.InternalServerError, failed.Status);
            Assert.False(failed.Body?["Outputs"]?.AsObject().ContainsKey("signalRMessages") ?? false);
        }
        finally
        {
            await Sql(admin, $"ALTER DATABASE \"{functions.DatabaseName}\" ALLOW_CONNECTIONS true");
        }

        var redelivered = await ProcessAsync(events[0], deliveryCount: 2);
        Assert.Equal(HttpStatusCode.OK, redelivered.Status);
        Assert.Contains(redelivered.Array("signalRMessages")!, m => m!["target"]!.GetValue<string>() == "event-updated");
    }

    [Fact]
    public async Task ProcessChainEvent_fails_while_redis_is_down_and_the_redelivery_emits_the_messages()
    {
        var created = await functions.Ledger.CreateEventAsync(await functions.Ledger.NewWalletAsync(), "Fair", "Park", Start, Start.AddHours(1), 5, 1);
        var events = await IngestAsync(created.Deliveries);
        functions.Redis.Stop();
        try
        {
            var failed = await ProcessAsync(events[0], deliveryCount: 1);
            Assert.Equal(HttpStatusCode.InternalServerError, failed.Status);
        }
        finally
        {
            functions.Redis.Start();
        }
        await Eventually.TrueAsync(async () => (await ProcessAsync(events[0], deliveryCount: 2)) is { Status: HttpStatusCode.OK } ok
            && ok.Array("signalRMessages")!.Any(m => m!["target"]!.GetValue<string>() == "event-updated"), "a successful redelivery");
    }

    [Fact]
    public async Task ProcessChainEvent_answers_poison_with_a_failure_so_service_bus_dead_letters_it()
    {
        var poison = await ProcessAsync(JsonValue.Create("this is not an event"), deliveryCount: 10);
        Assert.Equal(HttpStatusCode.InternalServerError, poison.Status);

        var bad = new ChainEvent(TestLedger.Network, "0x" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), 0, 1, null,
            functions.Deployment.TicketContract, "EventCreated",
            new Dictionary<string, string> { ["eventId"] = "not-a-number" });
        var invalid = await ProcessAsync(JsonNode.Parse(ChainEventMessage.Serialize(bad))!, deliveryCount: 3);
        Assert.Equal(HttpStatusCode.InternalServerError, invalid.Status);
    }

    [Fact]
    public async Task Group_join_and_leave_output_group_actions_and_reject_bad_input_without_any()
    {
        async Task<Invocation> Group(string function, string method, string eventId, string? body)
        {
            var request = new ClientRequest(method, $"api/realtime/groups/{eventId}", [new("Content-Type", "application/json")],
                body is null ? [] : Encoding.UTF8.GetBytes(body), new Dictionary<string, string> { ["eventId"] = eventId });
            return await functions.InvokeAsync(function, new JsonObject { ["req"] = request.ToFunctionsReq() }, request.ToFunctionsMetadata(function));
        }

        var proof = functions.Services.GetRequiredService<ConnectionProof>().Create("c-1");
        var membership = new JsonObject { ["connectionId"] = "c-1", ["proof"] = proof }.ToJsonString();
        var join = await Group("JoinEventGroup", "POST", "42", membership);
        Assert.Equal("204", join.ResStatus);
        Assert.Equal("""[{"action":"add","connectionId":"c-1","groupName":"event-42"}]""", join.Array("signalRGroupActions")!.ToJsonString());

        var leave = await Group("LeaveEventGroup", "DELETE", "0x2a", membership);
        Assert.Equal("204", leave.ResStatus);
        Assert.Equal("""[{"action":"remove","connectionId":"c-1","groupName":"event-42"}]""", leave.Array("signalRGroupActions")!.ToJsonString());

        var noProof = """{"connectionId":"c-1"}""";
        foreach (var (eventId, body, field) in new[] { ("nope", membership, "eventId"), ("42", """{"connectionId":""}""", "connectionId"), ("42", null, "connectionId"), ("42", noProof, "proof") })
        {
            var rejected = await Group("JoinEventGroup", "POST", eventId, body);
            Assert.Equal("400", rejected.ResStatus);
            Assert.Equal(field, JsonNode.Parse(rejected.ResBody)!["field"]!.GetValue<string>());
            Assert.False(rejected.Outputs.ContainsKey("signalRGroupActions"));
        }

        // Another client's id with a proof that is not its own (here: c-1's): 403, and no group action either way.
        var foreign = new JsonObject { ["connectionId"] = "c-2", ["proof"] = proof }.ToJsonString();
        foreach (var (function, method) in new[] { ("JoinEventGroup", "POST"), ("LeaveEventGroup", "DELETE") })
        {
            var refused = await Group(function, method, "42", foreign);
            Assert.Equal("403", refused.ResStatus);
            Assert.Equal("application/problem+json", refused.Res["headers"]!["Content-Type"]!.GetValue<string>());
            Assert.False(refused.Outputs.ContainsKey("signalRGroupActions"));
        }
    }

    [Fact]
    public async Task OnConnected_sends_the_connection_its_own_proof_which_the_group_functions_accept()
    {
        // The signalRTrigger's InvocationContext, as SignalR Service's upstream call carries it.
        var context = new JsonObject
        {
            ["ConnectionId"] = "conn-from-signalr-service", ["UserId"] = null, ["Hub"] = "echain",
            ["Category"] = "connections", ["Event"] = "connected", ["Query"] = new JsonObject(), ["Claims"] = new JsonObject(),
        };
        var connected = await functions.InvokeAsync("OnConnected", new JsonObject { ["invocation"] = context },
            new JsonObject { ["ConnectionId"] = "\"conn-from-signalr-service\"" });
        Assert.Equal(HttpStatusCode.OK, connected.Status);
        var message = Assert.Single(connected.Array("signalRMessages")!)!.AsObject();
        Assert.Equal("conn-from-signalr-service", message["connectionId"]!.GetValue<string>());
        Assert.Equal("connection-proof", message["target"]!.GetValue<string>());
        Assert.False(message.ContainsKey("groupName") || message.ContainsKey("userId")); // to that connection only
        var argument = Assert.Single(message["arguments"]!.AsArray())!;
        Assert.Equal("conn-from-signalr-service", argument["connectionId"]!.GetValue<string>());
        var proof = argument["proof"]!.GetValue<string>();
        Assert.True(functions.Services.GetRequiredService<ConnectionProof>().Verify("conn-from-signalr-service", proof));

        var request = new ClientRequest("POST", "api/realtime/groups/7", [new("Content-Type", "application/json")],
            Encoding.UTF8.GetBytes(new JsonObject { ["connectionId"] = "conn-from-signalr-service", ["proof"] = proof }.ToJsonString()),
            new Dictionary<string, string> { ["eventId"] = "7" });
        var join = await functions.InvokeAsync("JoinEventGroup", new JsonObject { ["req"] = request.ToFunctionsReq() }, request.ToFunctionsMetadata("JoinEventGroup"));
        Assert.Equal("204", join.ResStatus);

        var missing = await functions.InvokeAsync("OnConnected", new JsonObject { ["invocation"] = new JsonObject() });
        Assert.Equal(HttpStatusCode.InternalServerError, missing.Status); // a misconfigured trigger is the host's failure, not a silent no-op
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>CoinbaseWebhook for each activity; returns the outEvents items in order.</summary>
    private async Task<List<JsonObject>> IngestAsync(IEnumerable<CdpActivity> activities)
    {
        var events = new List<JsonObject>();
        foreach (var activity in activities)
        {
            var request = ClientRequest.SignedWebhook(activity);
            var result = await functions.InvokeAsync("CoinbaseWebhook", new JsonObject { ["req"] = request.ToFunctionsReq() });
            Assert.True(result.ResStatus == "202", result.Text);
            events.AddRange(result.Array("outEvents")!.Select(e => e!.AsObject().DeepClone().AsObject()));
        }
        return events;
    }

    private async Task DeliverAsync(IEnumerable<CdpActivity> activities)
    {
        foreach (var chainEvent in await IngestAsync(activities))
            Assert.Equal(HttpStatusCode.OK, (await ProcessAsync(chainEvent, deliveryCount: 1)).Status);
    }

    private Task<Invocation> ProcessAsync(JsonNode message, int deliveryCount) =>
        functions.InvokeAsync("ProcessChainEvent", new JsonObject { ["message"] = message.DeepClone() },
            ServiceBusDelivery.Metadata(Guid.NewGuid().ToString("N"), deliveryCount));

    private static async Task Sql(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }
}
