using System.Collections.Concurrent;
using System.Diagnostics;
using Echain.Core.Chain;
using Echain.Core.Processing;
using Echain.Core.Queue;
using Echain.Functions.Standalone.Queue;
using Echain.Tests.Infrastructure;
using StackExchange.Redis;
using static Echain.Tests.Queue.QueueTestSupport;

namespace Echain.Tests.Queue;

/// <summary>The standalone consumer decides with the message's counted failures, never with the Redis delivery counter.</summary>
public sealed class UncountedFailureTests(RedisServer server) : IClassFixture<RedisServer>, IDisposable
{
    private readonly ConnectionMultiplexer _redis = server.Connect();

    public void Dispose() => _redis.Dispose();

    private static RedisQueueOptions Limited(int maxDeliveries, int backoffMaxMs = 400) => Options(visibilityMs: 100) with
    {
        MaxDeliveries = maxDeliveries,
        TransientBackoffInitial = TimeSpan.FromMilliseconds(50),
        TransientBackoffMax = TimeSpan.FromMilliseconds(backoffMaxMs),
    };

    [Fact]
    public async Task Transient_failures_far_past_the_limit_never_dead_letter_and_the_message_applies_when_the_dependency_returns()
    {
        var options = Limited(maxDeliveries: 2);
        var attempts = new ConcurrentQueue<(int Delivery, long At)>();
        var clock = Stopwatch.StartNew();
        var db = _redis.GetDatabase();
        var applied = new TaskCompletionSource<QueuedChainEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (new RunningConsumer(new ChainEventConsumer(_redis, options), (m, _) =>
        {
            attempts.Enqueue((m.DeliveryCount, clock.ElapsedMilliseconds));
            if (attempts.Count <= 8)
                return Task.FromException(attempts.Count % 2 == 0 ? new TimeoutException("postgres timed out") : new Npgsql.NpgsqlException("connection refused"));
            applied.TrySetResult(m);
            return Task.CompletedTask;
        }))
        {
            await new RedisChainEventQueue(_redis, options).EnqueueAsync([Event(1)], default);
            var message = await applied.Task.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(9, message.DeliveryCount); // the Redis counter went far past the limit: it decides nothing
            await WaitDrainedAsync(new RedisChainEventQueueMonitor(_redis, options));
        }
        Assert.Equal(Enumerable.Range(1, 9), attempts.Select(a => a.Delivery));
        // Backed off: by the last failures the pause reached the cap's lower half (200 ms), beyond the 100 ms timeout.
        var at = attempts.Select(a => a.At).ToArray();
        Assert.True(at[^1] - at[^2] >= 190, $"attempts at {string.Join(", ", at)} ms");
        Assert.Equal(0, await db.StreamLengthAsync(options.DeadLetterStream));
        foreach (var key in new[] { options.StreamName + ":errors", options.StreamName + ":failures", options.StreamName + ":outcomes" })
            Assert.Equal(0, await db.HashLengthAsync(key));
    }

    [Fact]
    public async Task Transient_failures_between_counted_ones_do_not_change_when_a_message_dead_letters()
    {
        var options = Limited(maxDeliveries: 3);
        var attempts = 0;
        await using (new RunningConsumer(new ChainEventConsumer(_redis, options), (m, _) =>
        {
            // transient, deterministic, transient, transient, deterministic, transient, deterministic, …
            var n = Interlocked.Increment(ref attempts);
            return Task.FromException(n is 2 or 5 or 7 or 9
                ? new InvalidChainEventException($"EventCreated has no parameter 'title' (attempt {n})")
                : new TimeoutException($"postgres timed out (attempt {n})"));
        }))
        {
            await new RedisChainEventQueue(_redis, options).EnqueueAsync([Event(1)], default);
            await Eventually.TrueAsync(async () => await _redis.GetDatabase().StreamLengthAsync(options.DeadLetterStream) == 1, "the log to be dead-lettered");
        }
        Assert.Equal(7, attempts); // the third counted failure, whatever came between
        var dead = Assert.Single(await _redis.GetDatabase().StreamRangeAsync(options.DeadLetterStream));
        Assert.Equal("deterministic", dead["kind"].ToString());
        Assert.Equal("3", dead["failures"].ToString());
        Assert.Equal("7", dead["deliveries"].ToString());
        Assert.Contains("no parameter 'title' (attempt 7)", dead["error"].ToString());
    }

    [Fact]
    public async Task A_message_that_never_reports_back_is_dead_lettered_after_the_limit_of_deliveries_without_outcome()
    {
        var options = Limited(maxDeliveries: 2);
        var db = _redis.GetDatabase();
        var id = (await new RedisChainEventQueue(_redis, options).EnqueueAsync([Event(1)], default))[0];
        // Two earlier consumers that failed transiently, then three that died mid-delivery: only those three count.
        // After the message: it is pending only through the claims below, never new to XREADGROUP.
        await db.StreamCreateConsumerGroupAsync(options.StreamName, options.GroupName, "$");
        for (var delivery = 0; delivery < 5; delivery++)
            await db.ExecuteAsync("XCLAIM", options.StreamName, options.GroupName, "dead-" + delivery, 0, id, "RETRYCOUNT", delivery + 1, "FORCE");
        await db.HashSetAsync(options.StreamName + ":outcomes", id, 2);
        await db.HashSetAsync(options.StreamName + ":errors", id, "System.TimeoutException: postgres timed out");

        var handled = 0;
        await using (new RunningConsumer(new ChainEventConsumer(_redis, options), (_, _) => { Interlocked.Increment(ref handled); return Task.CompletedTask; }))
            await Eventually.TrueAsync(async () => await db.StreamLengthAsync(options.DeadLetterStream) == 1, "the message to be dead-lettered");
        Assert.Equal(0, handled);
        var dead = Assert.Single(await new DeadLetterStore(_redis, options).ListAsync(10, CancellationToken.None));
        Assert.Equal("delivered-too-often", dead.Kind);
        Assert.Contains("no outcome after 3 deliveries", dead.Error);
        Assert.Contains("postgres timed out", dead.Error);
    }

    [Theory]
    [InlineData(1, 0, 2, false)]
    [InlineData(3, 0, 2, true)] // two deliveries that never reported back
    [InlineData(3, 2, 2, false)] // two retries after recorded failures
    [InlineData(500, 499, 2, false)] // a long outage: hundreds of transient retries
    [InlineData(500, 497, 2, true)]
    public void Only_deliveries_without_an_outcome_count_toward_the_delivered_too_often_guard(int deliveryCount, int recorded, int max, bool tooOften) =>
        Assert.Equal(tooOften, new Delivery("1-0", "{}", deliveryCount, recorded).DeliveredTooOften(max));

    [Fact]
    public void The_backoff_grows_while_batches_only_fail_without_counting_and_resets_on_the_first_success()
    {
        var backoff = new TransientBackoff(new RetryBackoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(400)), "c1");
        Assert.Null(backoff.AfterBatch(succeeded: 0, uncountedFailures: 0));
        Assert.Null(backoff.AfterBatch(succeeded: 5, uncountedFailures: 0));
        double[] ceilings = [100, 200, 400, 400, 400];
        foreach (var ceiling in ceilings)
        {
            var pause = backoff.AfterBatch(succeeded: 0, uncountedFailures: 64);
            Assert.NotNull(pause);
            Assert.InRange(pause.Value.TotalMilliseconds, ceiling / 2, ceiling);
        }
        Assert.Equal(5, backoff.Step);
        Assert.Null(backoff.AfterBatch(succeeded: 0, uncountedFailures: 0)); // only counted failures: no pause, no reset
        Assert.Equal(5, backoff.Step);
        Assert.Null(backoff.AfterBatch(succeeded: 1, uncountedFailures: 63));
        Assert.Equal(0, backoff.Step);
        Assert.InRange(backoff.AfterBatch(succeeded: 0, uncountedFailures: 1)!.Value.TotalMilliseconds, 50, 100);
    }

    [Theory]
    [InlineData(0, 1000)]
    [InlineData(2000, 1000)]
    public void Backoff_settings_must_be_positive_and_ordered(int initialMs, int maxMs) =>
        Assert.Throws<ArgumentException>(() => new ChainEventConsumer(_redis, Options() with
        {
            TransientBackoffInitial = TimeSpan.FromMilliseconds(initialMs),
            TransientBackoffMax = TimeSpan.FromMilliseconds(maxMs),
        }));
}
