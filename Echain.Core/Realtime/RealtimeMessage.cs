using System.Text.Json;
using System.Text.Json.Nodes;

namespace Echain.Core.Realtime;

/// <summary>
/// One message for the frontend: a SignalR target with one argument, sent either to an event group
/// (<c>event-{id}</c>) or to one user (lowercase wallet address). Payload is JSON so the same value
/// goes to the in-process hub, the Functions <c>signalR</c> output binding and the outbox column.
/// </summary>
public sealed record RealtimeMessage(string Target, JsonObject Payload, string? GroupName, string? UserId)
{
    private static readonly JsonSerializerOptions PayloadJson = new(JsonSerializerDefaults.Web);

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

    public static string EventGroup(string eventId) => $"event-{eventId}";
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
