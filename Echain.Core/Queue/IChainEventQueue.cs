using Echain.Core.Chain;

namespace Echain.Core.Queue;

/// <summary>The "chain-events" queue as the webhook sees it: verified events go in, or nothing does.</summary>
public interface IChainEventQueue
{
    /// <summary>Enqueues all events (atomically where the transport allows). Returns the message ids.
    /// Throws <see cref="QueueUnavailableException"/> when the queue cannot be reached.</summary>
    Task<IReadOnlyList<string>> EnqueueAsync(IReadOnlyList<ChainEvent> events, CancellationToken cancellationToken);
}

public sealed class QueueUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Queue depth for /api/health, where the host can read it (a broker the platform monitors has none).</summary>
public interface IChainEventQueueMonitor
{
    Task<ChainEventQueueStats> GetStatsAsync();
}

/// <summary>Messages waiting (not yet acknowledged), delivered but unacknowledged, and dead letters.</summary>
public sealed record ChainEventQueueStats(long Length, long Pending, long DeadLetters);
