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
        // A racing insert heals on the next delivery, a persistent one is a bug: counted either way.
        { new PostgresException("unique", "ERROR", "ERROR", PostgresErrorCodes.UniqueViolation), FailureKind.Unexpected },
        { new PostgresException("no table", "ERROR", "ERROR", PostgresErrorCodes.UndefinedTable), FailureKind.Unexpected },
        { new PostgresException("U+0000", "ERROR", "ERROR", PostgresErrorCodes.UntranslatableCharacter), FailureKind.Deterministic },
        { new PostgresException("overflow", "ERROR", "ERROR", PostgresErrorCodes.NumericValueOutOfRange), FailureKind.Deterministic },
        { new PostgresException("shutdown", "FATAL", "FATAL", PostgresErrorCodes.AdminShutdown), FailureKind.Transient },
        { new PostgresException("starting", "FATAL", "FATAL", PostgresErrorCodes.CannotConnectNow), FailureKind.Transient },
        { new PostgresException("lost", "FATAL", "FATAL", PostgresErrorCodes.ConnectionFailure), FailureKind.Transient },
        { new PostgresException("full", "ERROR", "ERROR", PostgresErrorCodes.DiskFull), FailureKind.Transient },
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

    [Theory]
    [InlineData(FailureKind.Deterministic)]
    [InlineData(FailureKind.Unexpected)]
    public void A_counted_failure_dead_letters_when_the_counted_failures_reach_the_limit(FailureKind kind)
    {
        for (var failures = 1; failures < FailurePolicy.MaxDeliveries; failures++)
            Assert.Equal(FailureDecision.RetryLater, FailurePolicy.Decide(kind, failures));
        Assert.Equal(FailureDecision.DeadLetter, FailurePolicy.Decide(kind, FailurePolicy.MaxDeliveries));
        Assert.Equal(FailureDecision.RetryLater, FailurePolicy.Decide(kind, countedFailures: 2, maxDeliveries: 3));
        Assert.Equal(FailureDecision.DeadLetter, FailurePolicy.Decide(kind, countedFailures: 3, maxDeliveries: 3));
        Assert.Equal(FailureDecision.DeadLetter, FailurePolicy.Decide(kind, countedFailures: 1, maxDeliveries: 1));
    }

    [Theory]
    [InlineData(FailureKind.Transient)]
    [InlineData(FailureKind.Conflict)]
    public void A_failure_that_does_not_count_is_retried_however_often_it_happened(FailureKind kind)
    {
        // Whatever the count passed (a host that mistakenly passed its delivery counter, a message already
        // at the limit through earlier counted failures), an outage never dead-letters.
        foreach (var failures in new[] { 0, 1, FailurePolicy.MaxDeliveries, FailurePolicy.MaxDeliveries + 1, 10_000, int.MaxValue })
            Assert.Equal(FailureDecision.RetryLater, FailurePolicy.Decide(kind, failures));
        Assert.Equal(FailureDecision.RetryLater, FailurePolicy.Decide(kind, countedFailures: 1, maxDeliveries: 1));
    }

    [Theory]
    [InlineData(FailureKind.Conflict, false)]
    [InlineData(FailureKind.Transient, false)]
    [InlineData(FailureKind.Deterministic, true)]
    [InlineData(FailureKind.Unexpected, true)]
    public void Only_failures_that_say_something_about_the_log_count_toward_the_limit(FailureKind kind, bool counts) =>
        Assert.Equal(counts, FailurePolicy.CountsTowardLimit(kind));

    [Fact]
    public void Backoff_doubles_from_the_initial_pause_up_to_the_cap_with_jitter_in_the_upper_half()
    {
        var backoff = new RetryBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(3));
        double[] ceilings = [100, 200, 400, 800, 1600, 3000, 3000, 3000];
        for (var attempt = 1; attempt <= ceilings.Length; attempt++)
        {
            for (var sample = 0; sample < 50; sample++)
            {
                var pause = FailurePolicy.Backoff(attempt, backoff).TotalMilliseconds;
                Assert.InRange(pause, ceilings[attempt - 1] / 2, ceilings[attempt - 1]);
            }
        }
        Assert.InRange(FailurePolicy.Backoff(int.MaxValue, backoff), TimeSpan.FromSeconds(1.5), TimeSpan.FromSeconds(3));
        Assert.Throws<ArgumentOutOfRangeException>(() => FailurePolicy.Backoff(0, backoff));
    }
}
