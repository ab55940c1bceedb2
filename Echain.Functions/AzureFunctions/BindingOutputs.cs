using System.Text.Json.Nodes;
using Echain.Core.Chain;
using Echain.Core.Queue;
using Echain.Core.Realtime;

namespace Echain.Functions.AzureFunctions;

/// <summary>
/// The <c>serviceBus</c> output of one invocation: CoinbaseWebhookIngest "enqueues" here and the function
/// returns the events as Outputs.outEvents; the host sends them after the handler answered.
/// </summary>
public sealed class ServiceBusOutput : IChainEventQueue
{
    private readonly List<ChainEvent> _events = [];
    private QueuedTrace _trace = QueuedTrace.None;

    public IReadOnlyList<ChainEvent> Events => _events;

    public Task<IReadOnlyList<string>> EnqueueAsync(IReadOnlyList<ChainEvent> events, QueuedTrace trace, CancellationToken cancellationToken)
    {
        _events.AddRange(events);
        _trace = trace; // one webhook per invocation: one trace for all its events
        // Service Bus assigns message ids when the binding sends; the receipt names each event by its natural key.
        return Task.FromResult<IReadOnlyList<string>>(events.Select(e => e.Key.ToString()).ToArray());
    }

    /// <summary>One message per event, each a JSON object (the same document the Redis Stream queue carries).</summary>
    public JsonArray ToJson() => new(_events.Select(e => (JsonNode?)JsonNode.Parse(ChainEventMessage.Serialize(e, _trace))).ToArray());
}

/// <summary>The <c>signalR</c> output of one invocation: what the processor publishes becomes Outputs.signalRMessages.</summary>
public sealed class SignalROutput : IRealtimePublisher
{
    private readonly List<RealtimeMessage> _messages = [];

    public IReadOnlyList<RealtimeMessage> Messages => _messages;

    public Task PublishAsync(IReadOnlyList<RealtimeMessage> messages, CancellationToken cancellationToken)
    {
        _messages.AddRange(messages);
        return Task.CompletedTask;
    }

    /// <summary><c>[{target, arguments:[payload], groupName}]</c> or with <c>userId</c>: the SignalR output binding's item shape.</summary>
    public JsonArray ToJson() => new(_messages.Select(m => (JsonNode?)ToJson(m)).ToArray());

    public static JsonObject ToJson(RealtimeMessage message)
    {
        var item = new JsonObject
        {
            ["target"] = message.Target,
            ["arguments"] = new JsonArray(message.Payload.DeepClone()),
        };
        if (message.GroupName is not null) item["groupName"] = message.GroupName;
        else item["userId"] = message.UserId ?? throw new InvalidOperationException($"{message.Target} has neither group nor user.");
        return item;
    }

    /// <summary>A group action item: <c>{action: "add"|"remove", connectionId, groupName}</c>.</summary>
    public static JsonArray GroupAction(string action, string connectionId, string groupName) =>
        new(new JsonObject { ["action"] = action, ["connectionId"] = connectionId, ["groupName"] = groupName });
}
