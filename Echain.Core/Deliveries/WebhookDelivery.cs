using Echain.Core.Chain;

namespace Echain.Core.Deliveries;

/// <summary>
/// One webhook delivery as the delivery log keeps it, accepted or rejected. Never holds a secret: headers by
/// name only (the signature header's value is not kept), the body as received.
/// </summary>
/// <param name="ReceivedAt">When the request arrived.</param>
/// <param name="Status">The HTTP status answered (202, 400, 401, …).</param>
/// <param name="Outcome">The counter's outcome tag: "accepted", "unauthorized", "bad-request", "queue-unavailable", ….</param>
/// <param name="Reason">The problem's detail for a rejection; null when accepted.</param>
/// <param name="Field">The payload field a 400 names, if any.</param>
/// <param name="SignedHeaders">The header names the signature covered (Hook0 <c>h</c>), lowercase; empty when unsigned.</param>
/// <param name="EventId">X-Event-Id (or X-Hook0-Id) when the sender gave one.</param>
/// <param name="EventType">The payload's type (e.g. "onchain.activity.detected") when it could be read.</param>
/// <param name="EventKeys">The natural keys of the events it produced (queued or acknowledged).</param>
/// <param name="Body">The raw body; the log decides how much of it to keep.</param>
/// <param name="ReplayOf">The id of the stored delivery this one replays, when an operator replayed it.</param>
public sealed record WebhookDelivery(
    DateTimeOffset ReceivedAt,
    int Status,
    string Outcome,
    string? Reason,
    string? Field,
    IReadOnlyList<string> SignedHeaders,
    string? EventId,
    string? EventType,
    IReadOnlyList<LogKey> EventKeys,
    ReadOnlyMemory<byte> Body,
    long? ReplayOf = null);

/// <summary>Where the webhook ingest records each delivery. Must not block the webhook or throw: a log that cannot write keeps or drops, and counts it.</summary>
public interface IDeliveryLog
{
    void Record(WebhookDelivery delivery);
}

/// <summary>Records nothing: for hosts and tests that do not keep a delivery log.</summary>
public sealed class NoDeliveryLog : IDeliveryLog
{
    public static NoDeliveryLog Instance { get; } = new();

    public void Record(WebhookDelivery delivery) { }
}
