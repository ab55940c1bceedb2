using Echain.Core.Chain;

namespace Echain.Core.Queue;

/// <summary>The "chain-events" queue as the webhook sees it: verified events go in, or nothing does.</summary>
public interface IChainEventQueue
{
    /// <summary>Enqueues all events (atomically where the transport allows). Returns the message ids.
    /// Throws <see cref="QueueUnavailableException"/> when the queue cannot be reached.</summary>
    /// <param name="trace">carried in every message: the caller's trace context and, from a webhook, its receive time.</param>
    Task<IReadOnlyList<string>> EnqueueAsync(IReadOnlyList<ChainEvent> events, QueuedTrace trace, CancellationToken cancellationToken);
}

public static class ChainEventQueueExtensions
{
    /// <summary>Enqueues under the current trace context, with no webhook receive time (the reconciler, a replay, tests).</summary>
    public static Task<IReadOnlyList<string>> EnqueueAsync(this IChainEventQueue queue, IReadOnlyList<ChainEvent> events,
        CancellationToken cancellationToken) =>
        queue.EnqueueAsync(events, QueuedTrace.Capture(receivedAt: null), cancellationToken);
}

public sealed class QueueUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Queue depth for /api/health, where the host can read it (a broker the platform monitors has none).</summary>
public interface IChainEventQueueMonitor
{
    Task<ChainEventQueueStats> GetStatsAsync();
}

/// <summary>
/// Messages waiting (not yet acknowledged), delivered but unacknowledged, and dead letters; the age of the oldest
/// message not yet acknowledged (null when the queue is empty or the transport cannot tell).
/// </summary>
public sealed record ChainEventQueueStats(long Length, long Pending, long DeadLetters, TimeSpan? OldestAge = null);
