using System.Diagnostics;

namespace Echain.Core.Queue;

/// <summary>
/// What a queue message carries beside its <see cref="Chain.ChainEvent"/>: the W3C trace context of the request that
/// queued it (so ingest and projection are one trace on either host, whatever the transport does with its own
/// headers) and, for a webhook's log, when the delivery was received (webhook → applied and webhook → sent).
/// </summary>
public sealed record QueuedTrace(string? TraceParent, string? TraceState, DateTimeOffset? ReceivedAt)
{
    public static readonly QueuedTrace None = new(null, null, null);

    /// <summary>The current activity's context (the ingest's span), with the webhook's receive time when there is one.</summary>
    public static QueuedTrace Capture(DateTimeOffset? receivedAt)
    {
        var current = Activity.Current;
        return current is null || current.IdFormat != ActivityIdFormat.W3C
            ? new QueuedTrace(null, null, receivedAt)
            : new QueuedTrace(current.Id, current.TraceStateString, receivedAt);
    }

    /// <summary>The parent to start the consumer's span under; default (a new trace) when the message carried none or a malformed one.</summary>
    public ActivityContext Parent =>
        TraceParent is not null && ActivityContext.TryParse(TraceParent, TraceState, isRemote: true, out var parent) ? parent : default;
}
