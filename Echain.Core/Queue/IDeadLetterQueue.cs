namespace Echain.Core.Queue;

/// <summary>
/// The host's dead letters as the admin routes see them: the Redis dead-letter stream standalone, the Service Bus
/// dead-letter sub-queue under Azure Functions.
/// </summary>
public interface IDeadLetterQueue
{
    /// <summary>The oldest <paramref name="max"/> dead letters with their reason: what an operator reads before replaying.</summary>
    Task<IReadOnlyList<DeadLetter>> ListAsync(int max, CancellationToken cancellationToken);

    /// <summary>Moves up to <paramref name="max"/> dead letters (oldest first) back to the queue as new messages with a
    /// fresh delivery count, each exactly once. Returns how many were moved.</summary>
    Task<int> ReplayAsync(int max, CancellationToken cancellationToken);
}

/// <summary>
/// A message that could not be applied: its dead-letter id, original id, the reason class (<see cref="Processing.FailurePolicy.Tag"/>,
/// or "not-a-chain-event", "delivered-too-often"), the last error, the deliveries it had and the event JSON.
/// </summary>
public sealed record DeadLetter(string Id, string OriginalId, string Kind, string Error, int Deliveries, string FailedAt, string? Data);
