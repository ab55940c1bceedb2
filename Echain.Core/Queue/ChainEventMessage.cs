using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Echain.Core.Chain;

namespace Echain.Core.Queue;

/// <summary>
/// The queued document every transport carries: a <see cref="ChainEvent"/> as JSON (web defaults), the
/// same bytes whichever queue holds it. Its <see cref="QueuedTrace"/> rides in the same object (members
/// <c>traceparent</c>, <c>tracestate</c>, <c>receivedAt</c>), so it survives every transport and every retry copy.
/// </summary>
public static class ChainEventMessage
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static string Serialize(ChainEvent chainEvent) => JsonSerializer.Serialize(chainEvent, Json);

    /// <summary>The event's document with the trace's members added (the event's own members are never named like them).</summary>
    public static string Serialize(ChainEvent chainEvent, QueuedTrace trace) => Encoding.UTF8.GetString(SerializeToUtf8Bytes(chainEvent, trace));

    /// <summary>
    /// <see cref="Serialize(ChainEvent, QueuedTrace)"/> in UTF-8, for a transport that sends bytes (Redis), and the one place
    /// the document is written: once into a per-thread scratch buffer, copied once into the message, no intermediate strings.
    /// </summary>
    public static byte[] SerializeToUtf8Bytes(ChainEvent chainEvent, QueuedTrace trace)
    {
        var scratch = t_scratch ??= new ArrayBufferWriter<byte>(1024);
        var writer = t_writer ??= new Utf8JsonWriter(scratch);
        scratch.ResetWrittenCount();
        writer.Reset(scratch);
        JsonSerializer.Serialize(writer, chainEvent, Json);
        writer.Flush();
        if (trace.TraceParent is null && trace.ReceivedAt is null) return scratch.WrittenSpan.ToArray();
        var eventEnd = scratch.WrittenCount;
        writer.Reset(scratch);
        JsonSerializer.Serialize(writer, new TraceMembers(trace.TraceParent, trace.TraceState, trace.ReceivedAt), Json);
        writer.Flush();
        // "{event}" then "{trace}" in the scratch; both are JSON objects and the event always has members, so the message
        // is "{event,trace}": the trace's members join the event's after a comma.
        var written = scratch.WrittenSpan;
        var message = new byte[written.Length - 1];
        written[..(eventEnd - 1)].CopyTo(message);
        message[eventEnd - 1] = (byte)',';
        written[(eventEnd + 1)..].CopyTo(message.AsSpan(eventEnd));
        return message;
    }

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_scratch;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    /// <summary>The event and the trace it carried; null plus a reason as <see cref="TryDeserialize(string?, out string?)"/>.</summary>
    public static ChainEvent? TryDeserialize(string? data, out QueuedTrace trace, out string? error)
    {
        var chainEvent = TryDeserialize(data, out error);
        trace = chainEvent is null ? QueuedTrace.None : TraceOf(data);
        return chainEvent;
    }

    /// <summary>The trace a message carried: <see cref="QueuedTrace.None"/> when it carried none or is not a JSON object.</summary>
    public static QueuedTrace TraceOf(string? data)
    {
        if (string.IsNullOrEmpty(data)) return QueuedTrace.None;
        try
        {
            var members = JsonSerializer.Deserialize<TraceMembers>(data, Json);
            return members is null ? QueuedTrace.None : new QueuedTrace(members.TraceParent, members.TraceState, members.ReceivedAt);
        }
        catch (JsonException)
        {
            // The message is poison and TryDeserialize says why; a broken trace never stops a delivery.
            return QueuedTrace.None;
        }
    }

    private sealed record TraceMembers(
        [property: JsonPropertyName("traceparent"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TraceParent,
        [property: JsonPropertyName("tracestate"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TraceState,
        [property: JsonPropertyName("receivedAt"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTimeOffset? ReceivedAt);

    /// <summary>Null plus a reason when the body can never become a ChainEvent (poison: dead-letter at once).</summary>
    public static ChainEvent? TryDeserialize(string? data, out string? error)
    {
        error = null;
        if (string.IsNullOrEmpty(data))
        {
            error = "message is empty";
            return null;
        }
        try
        {
            var parsed = JsonSerializer.Deserialize<ChainEvent>(data, Json);
            // The serializer fills missing members with null even where the record says non-null.
            if (parsed is null || parsed.Network is null || parsed.TransactionHash is null
                || parsed.Contract is null || parsed.EventName is null || parsed.Parameters is null)
            {
                error = "message JSON lacks required ChainEvent members";
                return null;
            }
            return parsed;
        }
        catch (JsonException ex)
        {
            error = $"message is not a ChainEvent JSON document: {ex.Message}";
            return null;
        }
    }
}
