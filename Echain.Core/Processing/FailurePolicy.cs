using System.Net.Sockets;
using Echain.Core.Chain;
using Echain.Core.Reads;
using Npgsql;
using StackExchange.Redis;

namespace Echain.Core.Processing;

public enum FailureKind
{
    /// <summary>Two logs touched the same rows (deadlock, serialization failure): the transaction rolled back, try again now.</summary>
    Conflict,
    /// <summary>A dependency is down or timed out: the same message can succeed later.</summary>
    Transient,
    /// <summary>The log can never apply (a missing or malformed parameter, an unreadable message): poison.</summary>
    Deterministic,
    /// <summary>Anything else (a bug): counted like a deterministic failure, dead-lettered at the limit.</summary>
    Unexpected,
}

/// <summary>Capped exponential backoff for failures that do not count (<see cref="FailurePolicy.Backoff"/>).</summary>
public sealed record RetryBackoff(TimeSpan Initial, TimeSpan Max)
{
    /// <summary>1 s doubling to 60 s: a short blip costs a second, a long outage one attempt a minute.</summary>
    public static RetryBackoff Default { get; } = new(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
}

/// <summary>What to do with a delivery that failed.</summary>
public enum FailureDecision { RetryLater, DeadLetter }

/// <summary>
/// The one failure policy both hosts obey: how a failure is classified and what follows from it. The
/// processor retries conflicts in place; the hosts keep a per-message count of counted failures and ask
/// <see cref="Decide"/> with it, backing off (<see cref="Backoff"/>) while failures do not count.
/// </summary>
public static class FailurePolicy
{
    /// <summary>Counted failures of one message before it is dead-lettered (Echain:Queue:MaxDeliveries).</summary>
    public const int MaxDeliveries = 10;

    /// <summary>Attempts of one apply inside one delivery when it meets a <see cref="FailureKind.Conflict"/>.</summary>
    public const int ConflictAttempts = 4;

    public static FailureKind Classify(Exception exception) => exception switch
    {
        PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure } => FailureKind.Conflict,
        InvalidChainEventException => FailureKind.Deterministic,
        // Class 22 (data exception: a value the column cannot hold, a string with U+0000…) fails the same way every time.
        PostgresException { SqlState: [ '2', '2', _, _, _ ] } => FailureKind.Deterministic,
        // The server answered: connection (08), resources (53), operator intervention (57), system (58) heal by themselves;
        // any other SQL error is a bug in our SQL, counted like one.
        PostgresException { SqlState: [ '0', '8', ..] or [ '5', '3', ..] or [ '5', '7', ..] or [ '5', '8', ..] } => FailureKind.Transient,
        PostgresException => FailureKind.Unexpected,
        NpgsqlException or RedisException or CacheUnavailableException or TimeoutException or SocketException => FailureKind.Transient,
        _ => FailureKind.Unexpected,
    };

    /// <summary>
    /// A dependency that is down, or a conflict worth retrying: it heals by itself, so a client gets 503 with Retry-After
    /// (the REST and GraphQL reads alike), not an error.
    /// </summary>
    public static bool IsOutage(Exception exception) => Classify(exception) is FailureKind.Transient or FailureKind.Conflict;

    /// <summary>
    /// Whether a failure of this kind counts toward the delivery limit. A conflict or a dependency that is down says
    /// nothing about the log, so it never counts, however long the outage: the consumer backs off instead
    /// (<see cref="Backoff"/>). A log that can never apply, or a bug, counts.
    /// </summary>
    public static bool CountsTowardLimit(FailureKind kind) => kind is FailureKind.Deterministic or FailureKind.Unexpected;

    /// <summary>
    /// The pause before retry number <paramref name="attempt"/> (1 for the first retry) after uncounted failures:
    /// <see cref="RetryBackoff.Initial"/> doubling per attempt up to <see cref="RetryBackoff.Max"/>, the upper half
    /// jittered so that many consumers coming back from the same outage do not retry in step.
    /// </summary>
    public static TimeSpan Backoff(int attempt, RetryBackoff backoff)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        var exponent = Math.Min(attempt - 1, 30);
        var ceiling = Math.Min(backoff.Max.TotalMilliseconds, backoff.Initial.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }

    /// <summary>
    /// Count-based: a failure that does not count (<see cref="CountsTowardLimit"/>) is retried later, never
    /// dead-lettered, however long the outage or however often it was delivered. A counted failure dead-letters when
    /// the message's counted failures reach the limit, so even a log that can never apply gets the limit's attempts
    /// (a classification error then costs retries, not an accepted event).
    /// </summary>
    /// <param name="countedFailures">the message's counted failures so far, including this one if it counts.</param>
    /// <param name="maxDeliveries">the limit (<see cref="MaxDeliveries"/> unless configured).</param>
    public static FailureDecision Decide(FailureKind kind, int countedFailures, int maxDeliveries = MaxDeliveries) =>
        CountsTowardLimit(kind) && countedFailures >= maxDeliveries
            ? FailureDecision.DeadLetter
            : FailureDecision.RetryLater;

    /// <summary>The tag value in metrics and logs: "conflict", "transient", "deterministic", "unexpected".</summary>
    public static string Tag(FailureKind kind) => kind switch
    {
        FailureKind.Conflict => "conflict",
        FailureKind.Transient => "transient",
        FailureKind.Deterministic => "deterministic",
        _ => "unexpected",
    };
}
