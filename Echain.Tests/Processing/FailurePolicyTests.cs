using System.Net.Sockets;
using Echain.Core.Chain;
using Echain.Core.Processing;
using Echain.Core.Reads;
using Npgsql;
using StackExchange.Redis;

namespace Echain.Tests.Processing;

/// <summary>The one classification both hosts obey: a unit test of the policy itself (the hosts' tests prove they use it).</summary>
public sealed class FailurePolicyTests
{
    public static TheoryData<Exception, FailureKind> Failures => new()
    {
        { new PostgresException("deadlock", "ERROR", "ERROR", PostgresErrorCodes.DeadlockDetected), FailureKind.Conflict },
        { new PostgresException("conflict", "ERROR", "ERROR", PostgresErrorCodes.SerializationFailure), FailureKind.Conflict },
        { new PostgresException("unique", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation), FailureKind.Transient },
        { new NpgsqlException("connection refused"), FailureKind.Transient },
        { new RedisConnectionException(ConnectionFailureType.UnableToConnect, "down"), FailureKind.Transient },
        { new CacheUnavailableException("no confirmation"), FailureKind.Transient },
        { new TimeoutException(), FailureKind.Transient },
        { new SocketException((int)SocketError.ConnectionRefused), FailureKind.Transient },
        { new InvalidChainEventException("no parameter 'to'"), FailureKind.Deterministic },
        { new InvalidOperationException("a bug"), FailureKind.Unexpected },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public void Classifies_each_failure(Exception failure, FailureKind expected) =>
        Assert.Equal(expected, FailurePolicy.Classify(failure));

    [Fact]
    public void A_log_that_can_never_apply_is_dead_lettered_on_its_first_delivery() =>
        Assert.Equal(FailureDecision.DeadLetter, FailurePolicy.Decide(FailureKind.Deterministic, deliveryCount: 1));

    [Theory]
    [InlineData(FailureKind.Transient)]
    [InlineData(FailureKind.Conflict)]
    [InlineData(FailureKind.Unexpected)]
    public void Other_failures_are_retried_until_the_delivery_limit(FailureKind kind)
    {
        for (var delivery = 1; delivery < FailurePolicy.MaxDeliveries; delivery++)
            Assert.Equal(FailureDecision.RetryLater, FailurePolicy.Decide(kind, delivery));
        Assert.Equal(FailureDecision.DeadLetter, FailurePolicy.Decide(kind, FailurePolicy.MaxDeliveries));
        Assert.Equal(FailureDecision.DeadLetter, FailurePolicy.Decide(kind, deliveryCount: 3, maxDeliveries: 3));
    }
}
