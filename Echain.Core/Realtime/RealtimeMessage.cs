using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Echain.Core.Realtime;

/// <summary>
/// One message for the frontend: a SignalR target with one argument, sent either to an event group
/// (<c>event-{id}</c>) or to one user (lowercase wallet address). Payload is JSON so the same value
/// goes to the in-process hub, the Functions <c>signalR</c> output binding and the outbox column.
/// </summary>
/// <remarks>
/// Once its projection commits, the payload also carries <c>stream</c> (<see cref="Stream"/>) and <c>seq</c>, its
/// position there (<see cref="RealtimeStreams"/>): a client drops a seq it has and resumes after the last one it saw.
/// </remarks>
public sealed record RealtimeMessage(string Target, JsonObject Payload, string? GroupName, string? UserId)
{
    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

    /// <summary>The stream its seq counts in: the group (<c>event-{id}</c>) or <c>user-{lowercase address}</c>.</summary>
    [JsonIgnore]
    public string Stream => GroupName ?? RealtimeTargets.UserStream(
        UserId ?? throw new InvalidOperationException($"{Target} has neither group nor user."));

    /// <summary>The position in <see cref="Stream"/>, or null before the projection assigned one.</summary>
    [JsonIgnore]
    public long? Seq => Payload.TryGetPropertyValue(RealtimeTargets.SeqField, out var seq) && seq is not null ? seq.GetValue<long>() : null;

    /// <summary>A copy whose payload carries its stream and seq.</summary>
    public RealtimeMessage WithSeq(long seq)
    {
        var payload = Payload.DeepClone().AsObject();
        payload[RealtimeTargets.StreamField] = Stream;
        payload[RealtimeTargets.SeqField] = seq;
        return this with { Payload = payload };
    }

    public static RealtimeMessage ToGroup<T>(string target, T payload, string groupName) =>
        new(target, ToJson(payload), groupName, null);

    public static RealtimeMessage ToUser<T>(string target, T payload, string userId) =>
        new(target, ToJson(payload), null, userId);

    private static JsonObject ToJson<T>(T payload) =>
        JsonSerializer.SerializeToNode(payload, PayloadJson)?.AsObject()
        ?? throw new ArgumentNullException(nameof(payload));
}

/// <summary>Targets and payloads are the contract with the frontend (docs/architecture.md, "Realtime messages").</summary>
public static class RealtimeTargets
{
    public const string TicketPurchased = "ticket-purchased";
    public const string TicketTransferred = "ticket-transferred";
    public const string EventUpdated = "event-updated";
    public const string BalanceUpdated = "balance-updated";
    public const string Notification = "notification";

    public const string SeqField = "seq";
    public const string StreamField = "stream";

    public static string EventGroup(string eventId) => $"event-{eventId}";

    /// <summary>A user's stream; user ids are lowercase wallet addresses.</summary>
    public static string UserStream(string userId) => $"user-{userId}";
}

public sealed record TicketPurchasedPayload(string TicketId, string Buyer, string EventId);
public sealed record TicketTransferredPayload(string TicketId, string From, string To, string? EventId);
public sealed record EventUpdatedPayload(string EventId, IReadOnlyDictionary<string, object?> Updates);
public sealed record BalanceUpdatedPayload(string UserId, string Balance, string Token);
public sealed record NotificationPayload(string UserId, string Message, string Type);

/// <summary>Where realtime messages go: the in-process hub (standalone) or the Functions output binding.</summary>
public interface IRealtimePublisher
{
    Task PublishAsync(IReadOnlyList<RealtimeMessage> messages, CancellationToken cancellationToken);
}
