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
