using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Messaging.ServiceBus;
using Echain.Core.Chain;
using Echain.Core.Queue;
using Echain.Demo.Chain;
using Echain.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Echain.Tests.FunctionsHost;

/// <summary>The handler in Functions mode over a PostgreSQL of its own (these tests stop it) and a recorded Service Bus client.</summary>
public sealed class ServiceBusFunctionsHost : FunctionsTestHost
{
    public ServiceBusFunctionsHost() : base(privatePostgres: true)
    {
        // 1 s doubling to 8 s: a 90 s outage takes about a dozen copies per event instead of the production 60 s cap's few.
        Settings["Echain:ServiceBus:RetryInitial"] = "00:00:01";
        Settings["Echain:ServiceBus:RetryMax"] = "00:00:08";
        ConfigureApp = builder => builder.Services.AddSingleton<ServiceBusClient>(Bus);
    }

    public RecordingServiceBus Bus { get; } = new();

    /// <summary>CoinbaseWebhook for each activity; returns the outEvents items in order.</summary>
    public async Task<List<JsonObject>> IngestAsync(IEnumerable<CdpActivity> activities)
    {
        var events = new List<JsonObject>();
        foreach (var activity in activities)
        {
            var request = ClientRequest.SignedWebhook(activity);
            var result = await InvokeAsync("CoinbaseWebhook", new JsonObject { ["req"] = request.ToFunctionsReq() });
            Assert.True(result.ResStatus == "202", result.Text);
            events.AddRange(result.Array("outEvents")!.Select(e => e!.AsObject().DeepClone().AsObject()));
        }
        return events;
    }

    /// <summary>An EventCreated whose eventId is not a number: it can never apply (deterministic).</summary>
    public JsonNode BadEvent() => JsonNode.Parse(ChainEventMessage.Serialize(new ChainEvent(TestLedger.Network,
        "0x" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), 0, 1, null, Deployment.TicketContract, "EventCreated",
        new Dictionary<string, string> { ["eventId"] = "not-a-number" })))!;

    public async Task<List<DeadLetter>> ListDeadLettersAsync()
    {
        var response = await AdminAsync(HttpMethod.Get, "api/admin/dead-letters?limit=50");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<List<DeadLetter>>())!;
    }

    public Task<HttpResponseMessage> AdminAsync(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, Url(path));
        request.Headers.Add("X-Echain-Admin-Key", EchainTestHost.AdminKey);
        return Http.SendAsync(request);
    }
}

/// <summary>
/// What Service Bus does with the handler's answers, driven by the test: a 200 completes the delivery, a non-2xx
/// abandons it and redelivers it at once with DeliveryCount + 1, dead-lettering it after maxDeliveryCount (10).
/// The trigger metadata is the host's (strings JSON-encoded twice, numbers as strings, ApplicationProperties an object).
/// </summary>
public sealed class ServiceBusEmulation(FunctionsTestHost functions, RecordingServiceBus bus)
{
    public const int MaxDeliveryCount = 10;

    /// <summary>One delivery; returns the handler's answer.</summary>
    public Task<Invocation> DeliverOnceAsync(string messageId, JsonNode body, IDictionary<string, object> properties, int deliveryCount)
    {
        var metadata = ServiceBusDelivery.Metadata(messageId, deliveryCount);
        metadata["ApplicationProperties"] = JsonSerializer.SerializeToNode(properties)!;
        return functions.InvokeAsync("ProcessChainEvent", new JsonObject { ["message"] = body.DeepClone() }, metadata);
    }

    /// <summary>Delivers until the handler answers 200 or the message is dead-lettered; returns every answer.</summary>
    public async Task<List<Invocation>> DeliverAsync(string messageId, JsonNode body, IDictionary<string, object>? properties = null)
    {
        properties ??= new Dictionary<string, object>();
        var answers = new List<Invocation>();
        for (var deliveryCount = 1; ; deliveryCount++)
        {
            var answer = await DeliverOnceAsync(messageId, body, properties, deliveryCount);
            answers.Add(answer);
            if (answer.Status == System.Net.HttpStatusCode.OK) return answers;
            if (deliveryCount == MaxDeliveryCount)
            {
                bus.DeadLetter(messageId, body, properties, deliveryCount);
                return answers;
            }
        }
    }

    /// <summary>A copy the handler scheduled or sent, delivered as the new message it is.</summary>
    public Task<List<Invocation>> DeliverAsync(ServiceBusMessage copy) =>
        DeliverAsync(copy.MessageId, JsonNode.Parse(copy.Body.ToString())!, new Dictionary<string, object>(copy.ApplicationProperties));
}
