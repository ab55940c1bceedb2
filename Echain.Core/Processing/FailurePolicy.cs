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
    /// <summary>Anything else (a bug): retried like a transient failure, dead-lettered at the delivery limit.</summary>
    Unexpected,
}

/// <summary>What to do with a delivery that failed.</summary>
public enum FailureDecision { RetryLater, DeadLetter }

/// <summary>
/// The one failure policy both hosts obey: how a failure is classified and what follows from it. The
/// processor retries conflicts in place; the standalone consumer and the Azure Functions adapter ask
/// <see cref="Decide"/> (Service Bus applies the same delivery limit as its maxDeliveryCount).
/// </summary>
public static class FailurePolicy
{
    /// <summary>Deliveries of one message before it is dead-lettered (Service Bus maxDeliveryCount, infra/).</summary>
    public const int MaxDeliveries = 10;

    /// <summary>Attempts of one apply inside one delivery when it meets a <see cref="FailureKind.Conflict"/>.</summary>
    public const int ConflictAttempts = 4;

    public static FailureKind Classify(Exception exception) => exception switch
    {
        PostgresException { SqlState: PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure } => FailureKind.Conflict,
        InvalidChainEventException => FailureKind.Deterministic,
        NpgsqlException or RedisException or CacheUnavailableException or TimeoutException or SocketException => FailureKind.Transient,
        _ => FailureKind.Unexpected,
    };

    /// <param name="deliveryCount">1 on the first delivery, counting the one that just failed.</param>
    /// <param name="maxDeliveries">the transport's limit (<see cref="MaxDeliveries"/> unless configured).</param>
    public static FailureDecision Decide(FailureKind kind, int deliveryCount, int maxDeliveries = MaxDeliveries) =>
        kind == FailureKind.Deterministic || deliveryCount >= maxDeliveries
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
