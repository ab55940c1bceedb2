using System.Net;
using System.Text.Json.Nodes;
using Echain.Demo.Chain;
using Echain.Tests.Realtime;

namespace Echain.Tests.FunctionsHost;

/// <summary>
/// The Functions host's realtime output against the same schemas: every <c>signalRMessages</c> item ProcessChainEvent
/// answers for a ticket's life (create, update, purchase with its payment, resale, check-in), and OnConnected's
/// connection-proof. Each item's single argument must validate against its target's schema.
/// </summary>
public sealed class FunctionsRealtimeSchemaTests(FunctionsTestHost functions) : IClassFixture<FunctionsTestHost>
{
    private const long Usdc = 1_000_000;
    private static readonly DateTimeOffset Start = new(2027, 11, 5, 18, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Every_signalR_message_ProcessChainEvent_outputs_conforms_to_its_targets_schema()
    {
        var ledger = functions.Ledger;
        var (organizer, fan, friend) = (await ledger.NewWalletAsync(), await ledger.NewWalletAsync(), await ledger.NewWalletAsync());
        var created = await ledger.CreateEventAsync(organizer, "Functions night", "Same contract", Start, Start.AddHours(3), 10, 15 * Usdc);
        var messages = new List<JsonObject>();
        messages.AddRange(await ProcessAsync(created.Deliveries));
        messages.AddRange(await ProcessAsync(await ledger.UpdateEventAsync(organizer, created.EventId, "Functions night (moved)", "", Start.AddDays(2), Start.AddDays(2).AddHours(3), 15 * Usdc)));
        messages.AddRange(await ProcessAsync(await ledger.FundAsync(friend, 50 * Usdc)));
        var purchase = await ledger.BuyAsync(fan, created.EventId, "Stalls");
        messages.AddRange(await ProcessAsync(purchase.Deliveries));
        messages.AddRange(await ProcessAsync((await ledger.ResellAsync(fan, friend, purchase.TokenId, 10 * Usdc)).Deliveries));
        messages.AddRange(await ProcessAsync(await ledger.CheckInAsync(organizer, purchase.TokenId)));

        Assert.All(messages, m =>
        {
            var argument = Assert.Single(m["arguments"]!.AsArray())!;
            var target = m["target"]!.GetValue<string>();
            var problems = RealtimeContract.Problems(target, argument);
            Assert.True(problems.Count == 0, $"{target} {argument.ToJsonString()}: {string.Join("; ", problems)}");
            // Sent where its stream says: the group, or the user.
            var stream = argument["stream"]!.GetValue<string>();
            Assert.Equal(stream, m["groupName"]?.GetValue<string>() ?? $"user-{m["userId"]!.GetValue<string>()}");
        });
        string[] projected = ["balance-updated", "event-updated", "notification", "ticket-purchased", "ticket-transferred"];
        Assert.Equal(projected, messages.Select(m => m["target"]!.GetValue<string>()).Distinct().Order());
        var ticketId = purchase.TokenId.ToString();
        Assert.Contains(messages, m => Target(m) == "ticket-purchased" && Argument(m)["ticketId"]!.GetValue<string>() == ticketId);
        Assert.Contains(messages, m => Target(m) == "ticket-transferred" && Argument(m)["to"]!.GetValue<string>() == friend.Address);
        Assert.Contains(messages, m => Target(m) == "event-updated" && Argument(m)["updates"]!["ticketUsed"]?.GetValue<string>() == ticketId);
    }

    [Fact]
    public async Task The_connection_proof_OnConnected_outputs_conforms_to_its_schema()
    {
        var connected = await functions.InvokeAsync("OnConnected",
            new JsonObject { ["invocation"] = new JsonObject { ["ConnectionId"] = "conn-schema-check", ["Hub"] = "echain" } });

        Assert.Equal(HttpStatusCode.OK, connected.Status);
        var message = Assert.Single(connected.Array("signalRMessages")!)!;
        Assert.Equal("connection-proof", Target(message));
        var problems = RealtimeContract.Problems("connection-proof", Argument(message));
        Assert.True(problems.Count == 0, string.Join("; ", problems));
    }

    private static string Target(JsonNode message) => message["target"]!.GetValue<string>();

    private static JsonNode Argument(JsonNode message) => message["arguments"]![0]!;

    /// <summary>CoinbaseWebhook for each delivery, then ProcessChainEvent for each event it queued; the signalRMessages items.</summary>
    private async Task<List<JsonObject>> ProcessAsync(IEnumerable<CdpActivity> deliveries)
    {
        var messages = new List<JsonObject>();
        foreach (var delivery in deliveries)
        {
            var request = ClientRequest.SignedWebhook(delivery);
            var ingested = await functions.InvokeAsync("CoinbaseWebhook", new JsonObject { ["req"] = request.ToFunctionsReq() });
            Assert.True(ingested.ResStatus == "202", ingested.Text);
            foreach (var chainEvent in ingested.Array("outEvents")!)
            {
                var processed = await functions.InvokeAsync("ProcessChainEvent", new JsonObject { ["message"] = chainEvent!.DeepClone() },
                    ServiceBusDelivery.Metadata(Guid.NewGuid().ToString("N"), deliveryCount: 1));
                Assert.Equal(HttpStatusCode.OK, processed.Status);
                messages.AddRange(processed.Array("signalRMessages")!.Select(m => m!.AsObject().DeepClone().AsObject()));
            }
        }
        Assert.NotEmpty(messages);
        return messages;
    }
}
