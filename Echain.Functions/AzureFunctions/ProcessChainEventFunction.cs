using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Echain.Core.Chain;
using Echain.Core.Processing;
using Echain.Core.Queue;

namespace Echain.Functions.AzureFunctions;

/// <summary>
/// ProcessChainEvent. Trigger: serviceBusTrigger <c>message</c> (queue "chain-events").
/// Output: <c>signalRMessages</c> (signalR, hub "echain"). A failure answers 500: no output is written and
/// Service Bus redelivers the message (dead-letters it after maxDeliveryCount 10).
/// </summary>
public static class ProcessChainEventFunction
{
    public const string Name = "ProcessChainEvent";

    public static async Task<InvocationResult> RunAsync(
        FunctionInvocation invocation, IChainEventProcessor processor, ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger(Name);
        var messageId = invocation.MetadataString("MessageId");
        var deliveryCount = invocation.MetadataInt("DeliveryCount") ?? 1;

        var chainEvent = ReadMessage(invocation.Data[BindingNames.Message], out var error);
        if (chainEvent is null)
        {
            logger.LogError("Poison message {MessageId} (delivery {DeliveryCount}): {Error}; Service Bus dead-letters it after maxDeliveryCount",
                messageId, deliveryCount, error);
            return InvocationResult.Failed($"poison: {error}");
        }

        var signalRMessages = new SignalROutput();
        try
        {
            await processor.ProcessAsync(chainEvent, signalRMessages, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Every failure answers 500: no output is written and Service Bus redelivers, dead-lettering at
            // maxDeliveryCount. The kind only says which (FailurePolicy, as on the standalone host).
            var failure = FailurePolicy.Classify(e);
            var kind = FailurePolicy.Tag(failure);
            // A log that can never apply is an error an operator must see; the rest may heal on redelivery.
            logger.Log(failure == FailureKind.Deterministic ? LogLevel.Error : LogLevel.Warning,
                "Message {MessageId} {Key} (delivery {DeliveryCount}) failed ({Kind}); Service Bus redelivers it until maxDeliveryCount: {Error}",
                messageId, chainEvent.Key, deliveryCount, kind, e.Message);
            return InvocationResult.Failed($"{kind}: {e.Message}");
        }
        return InvocationResult.Ok().Output(BindingNames.SignalRMessages, signalRMessages.ToJson());
    }

    /// <summary>
    /// The event as the host hands the message over: a JSON object, or a string holding the JSON
    /// (possibly JSON-encoded once more, or base64 of UTF-8 JSON when the host saw bytes).
    /// </summary>
    internal static ChainEvent? ReadMessage(JsonNode? message, out string? error)
    {
        for (var depth = 0; depth < 3; depth++)
        {
            switch (message)
            {
                case JsonObject obj:
                    return ChainEventMessage.TryDeserialize(obj.ToJsonString(), out error);
                case JsonValue value when value.TryGetValue<string>(out var text):
                    text = text.Trim();
                    if (text.StartsWith('{')) return ChainEventMessage.TryDeserialize(text, out error);
                    try
                    {
                        message = text.StartsWith('"')
                            ? JsonValue.Create(JsonSerializer.Deserialize<string>(text))
                            : JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(text)));
                    }
                    catch (Exception e) when (e is JsonException or FormatException)
                    {
                        error = $"message is neither a ChainEvent JSON document nor base64 of one: {e.Message}";
                        return null;
                    }
                    break;
                default:
                    error = message is null ? "Data.message is missing" : $"Data.message is a {message.GetValueKind()}, not a ChainEvent";
                    return null;
            }
        }
        error = "message is encoded too many times";
        return null;
    }
}
