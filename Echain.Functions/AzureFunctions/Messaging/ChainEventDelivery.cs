using System.Text.Json;
using System.Text.Json.Nodes;

namespace Echain.Functions.AzureFunctions.Messaging;

/// <summary>
/// One delivery of a "chain-events" message as the trigger's metadata describes it, with what the message's earlier
/// copies carried: a retry copy is a new Service Bus message (its DeliveryCount starts at 1 again), so the history
/// that the limit and the backoff need travels in application properties.
/// </summary>
public sealed record ChainEventDelivery(string MessageId, string OriginalId, int DeliveryCount, int Attempt, int CountedBefore)
{
    /// <summary>The first message's id, kept by every retry copy and replay: the key of the recorded dead-letter reason.</summary>
    public const string OriginalIdProperty = "echain-original-id";
    /// <summary>Retry number of this copy after failures that did not count (absent: 1, the first).</summary>
    public const string AttemptProperty = "echain-attempt";
    /// <summary>Counted failures of the earlier copies (absent: 0).</summary>
    public const string CountedProperty = "echain-counted";

    /// <summary>
    /// Failures counted toward the limit before this delivery: the earlier copies' and this copy's earlier deliveries (a
    /// copy is only ever abandoned, so redelivered, after a failure that counts; an uncounted one completes it).
    /// </summary>
    public int CountedSoFar => CountedBefore + DeliveryCount - 1;

    /// <summary>Every delivery the message had, this one included, across its copies.</summary>
    public int Deliveries => CountedSoFar + Attempt;

    public static ChainEventDelivery From(FunctionInvocation invocation)
    {
        var messageId = invocation.MetadataString("MessageId") ?? "";
        var properties = ApplicationProperties(invocation.Metadata);
        var original = FunctionInvocation.StringOf(properties, OriginalIdProperty);
        return new ChainEventDelivery(messageId, string.IsNullOrEmpty(original) ? messageId : original,
            Math.Max(1, invocation.MetadataInt("DeliveryCount") ?? 1),
            Math.Max(1, FunctionInvocation.IntOf(properties, AttemptProperty) ?? 1),
            Math.Max(0, FunctionInvocation.IntOf(properties, CountedProperty) ?? 0));
    }

    /// <summary>
    /// Metadata.ApplicationProperties (UserProperties on older hosts): an object, or that object JSON-encoded as a
    /// string, as the host encodes non-object values once more.
    /// </summary>
    internal static JsonObject ApplicationProperties(JsonObject metadata)
    {
        var node = FunctionInvocation.Lookup(metadata, "ApplicationProperties") ?? FunctionInvocation.Lookup(metadata, "UserProperties");
        for (var depth = 0; depth < 3; depth++)
        {
            if (node is JsonObject obj) return obj;
            if (node is not JsonValue value || !value.TryGetValue<string>(out var text)) break;
            try { node = JsonNode.Parse(text); }
            catch (JsonException) { break; }
        }
        return new JsonObject();
    }
}
