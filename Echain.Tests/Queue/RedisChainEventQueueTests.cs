using System.Collections.Concurrent;
using Echain.Core.Chain;
using Echain.Core.Queue;
using Echain.Functions.Standalone.Queue;
using Echain.Tests.Infrastructure;
using StackExchange.Redis;
using static Echain.Tests.Queue.QueueTestSupport;

namespace Echain.Tests.Queue;

public sealed class RedisChainEventQueueTests(RedisServer server) : IClassFixture<RedisServer>, IDisposable
{
    private readonly ConnectionMultiplexer _redis = server.Connect();

    public void Dispose() => _redis.Dispose();

    private RedisChainEventQueueMonitor Monitor(RedisQueueOptions options) => new(_redis, options);

    [Fact]
    public async Task Enqueued_events_are_each_handled_once_then_acknowledged_and_deleted()
    {
        var options = Options(visibilityMs: 30_000);
        var queue = new RedisChainEventQueue(_redis, options);
        var sent = Enumerable.Range(1, 25).Select(Event).ToList();
        var ids = (await queue.EnqueueAsync(sent[..10], default)).Concat(await queue.EnqueueAsync(sent[10..], default)).ToList();
        Assert.Equal(25, ids.Distinct().Count());

        var handled = new ConcurrentQueue<QueuedChainEvent>();
        var consumer = new ChainEventConsumer(_redis, options);
        await using (new RunningConsumer(consumer, (m, _) => { handled.Enqueue(m); return Task.CompletedTask; }))
        {
            await Eventually.TrueAsync(() => handled.Count >= 25, "25 events were handled");
            await WaitDrainedAsync(Monitor(options));
        }

        Assert.Equal(25, handled.Count);
        Assert.Equal(ids.Order(), handled.Select(m => m.MessageId).Order());
        Assert.All(handled, m => Assert.Equal(1, m.DeliveryCount));
        var byTx = handled.ToDictionary(m => m.Event.TransactionHash, m => m.Event);
        foreach (var e in sent)
        {
            var got = byTx[e.TransactionHash];
            Assert.Equal((e.Network, e.LogIndex, e.BlockNumber, e.BlockTime, e.Contract, e.EventName),
                (got.Network, got.LogIndex, got.BlockNumber, got.BlockTime, got.Contract, got.EventName));
            Assert.Equal(e.Parameters.OrderBy(p => p.Key), got.Parameters.OrderBy(p => p.Key));
        }
        Assert.Equal(0, await _redis.GetDatabase().StreamLengthAsync(options.StreamName));
    }

    [Fact]
    public async Task A_deliverys_events_are_appended_in_its_order_as_the_document_every_transport_carries()
    {
        var options = Options();
        var queue = new RedisChainEventQueue(_redis, options);
        var sent = Enumerable.Range(1, 5).Select(Event).ToList();
        // Not ASCII: the UTF-8 the queue writes must be the string form's encoding, not a re-escaped variant.
        sent[2] = sent[2] with { Parameters = new Dictionary<string, string>(sent[2].Parameters) { ["title"] = "Café ✓ \"quoted\"" } };
        var trace = new QueuedTrace("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "vendor=1", DateTimeOffset.Parse("2026-05-19T21:22:11Z"));

        var ids = (await queue.EnqueueAsync(sent, trace, default)).Concat(await queue.EnqueueAsync([sent[0]], QueuedTrace.None, default)).ToList();

        var entries = await _redis.GetDatabase().StreamRangeAsync(options.StreamName);
        Assert.Equal(ids, entries.Select(e => e.Id.ToString()));
        Assert.Equal(sent.Select(e => ChainEventMessage.Serialize(e, trace)).Append(ChainEventMessage.Serialize(sent[0], QueuedTrace.None)),
            entries.Select(e => e[RedisQueueOptions.DataField].ToString()));
    }

    [Fact]
    public async Task Events_queued_before_the_first_consumer_and_while_it_idles_are_all_delivered()
    {
        var options = Options(visibilityMs: 30_000);
        var queue = new RedisChainEventQueue(_redis, options);
        await queue.EnqueueAsync([Event(1)], default);
        var handled = new ConcurrentQueue<QueuedChainEvent>();
        var consumer = new ChainEventConsumer(_redis, options);
        await using (new RunningConsumer(consumer, (m, _) => { handled.Enqueue(m); return Task.CompletedTask; }))
        {
            await Eventually.TrueAsync(() => handled.Count == 1, "the early event was handled");
            await queue.EnqueueAsync([Event(2), Event(3)], default);
            await Eventually.TrueAsync(() => handled.Count == 3, "the later events were handled");
            await WaitDrainedAsync(Monitor(options));
        }
        Assert.Equal(3, handled.Select(m => m.MessageId).Distinct().Count());
    }

    [Fact]
    public async Task Several_consumers_share_the_group_and_each_message_is_handled_once()
    {
        var options = Options(visibilityMs: 30_000);
        var queue = new RedisChainEventQueue(_redis, options);
        var handled = new ConcurrentQueue<(string Consumer, QueuedChainEvent Message)>();
        var first = new ChainEventConsumer(_redis, options with { ConsumerName = "a" });
        using var otherProcess = server.Connect();
        var second = new ChainEventConsumer(otherProcess, options with { ConsumerName = "b" });
        await using (new RunningConsumer(first, (m, _) => { handled.Enqueue(("a", m)); return Task.CompletedTask; }))
        await using (new RunningConsumer(second, (m, _) => { handled.Enqueue(("b", m)); return Task.CompletedTask; }))
        {
            for (var i = 0; i < 60; i++)
                await queue.EnqueueAsync([Event(2 * i), Event(2 * i + 1)], default);
            await Eventually.TrueAsync(() => handled.Count >= 120, "120 events were handled");
            await WaitDrainedAsync(Monitor(options));
        }
        Assert.Equal(120, handled.Count);
        Assert.Equal(120, handled.Select(h => h.Message.MessageId).Distinct().Count());
    }

    [Fact]
    public async Task A_failed_handler_is_retried_after_the_visibility_timeout_with_its_error_recorded()
    {
        var options = Options(visibilityMs: 300);
        var queue = new RedisChainEventQueue(_redis, options);
        var failing = Event(7);
        var attempts = new ConcurrentQueue<QueuedChainEvent>();
        var applied = new ConcurrentQueue<QueuedChainEvent>();
        RedisValue errorSeenOnRetry = default;
        var db = _redis.GetDatabase();

        var consumer = new ChainEventConsumer(_redis, options);
        await using (new RunningConsumer(consumer, async (m, _) =>
        {
            if (m.Event.TransactionHash == failing.TransactionHash)
            {
                attempts.Enqueue(m);
                if (m.DeliveryCount == 1)
                    throw new InvalidOperationException("database is restarting");
                errorSeenOnRetry = await db.HashGetAsync(options.StreamName + ":errors", m.MessageId);
            }
            applied.Enqueue(m);
        }))
        {
            await queue.EnqueueAsync([Event(6), failing, Event(8)], default);
            await Eventually.TrueAsync(() => applied.Count >= 3, "all three events were applied");
            await WaitDrainedAsync(Monitor(options));
        }

        Assert.Equal([1, 2], attempts.Select(a => a.DeliveryCount));
        Assert.Equal(attempts.First().MessageId, attempts.Last().MessageId);
        Assert.Equal(3, applied.Count);
        Assert.Single(applied, m => m.Event.TransactionHash == failing.TransactionHash);
        Assert.Contains("database is restarting", errorSeenOnRetry.ToString());
        Assert.False(await db.HashExistsAsync(options.StreamName + ":errors", attempts.First().MessageId));
        Assert.Equal(0, (await Monitor(options).GetStatsAsync()).DeadLetters);
    }

    [Theory]
    [InlineData("crashed")] // restarted process with the same consumer name
    [InlineData("other")] // another process takes over
    public async Task A_message_abandoned_by_a_killed_consumer_is_reclaimed_and_handled(string secondName)
    {
        var options = Options(consumer: "crashed", visibilityMs: 300);
        var queue = new RedisChainEventQueue(_redis, options);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var doomedConnection = server.Connect();
        var doomed = new RunningConsumer(new ChainEventConsumer(doomedConnection, options), async (_, ct) =>
        {
            started.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct); // never acknowledges
        });
        var ids = await queue.EnqueueAsync([Event(1)], default);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await doomed.DisposeAsync();
        doomedConnection.Dispose();
        Assert.Equal(1, (await Monitor(options).GetStatsAsync()).Pending);

        var handled = new ConcurrentQueue<QueuedChainEvent>();
        var successor = new ChainEventConsumer(_redis, options with { ConsumerName = secondName });
        await using (new RunningConsumer(successor, (m, _) => { handled.Enqueue(m); return Task.CompletedTask; }))
        {
            await Eventually.TrueAsync(() => !handled.IsEmpty, "the abandoned message was handled");
            await WaitDrainedAsync(Monitor(options));
        }
        var message = Assert.Single(handled);
        Assert.Equal(ids[0], message.MessageId);
        Assert.Equal(2, message.DeliveryCount);
    }

    [Fact]
    public async Task A_poison_message_is_dead_lettered_after_max_deliveries_while_others_flow_and_can_be_replayed()
    {
        var options = Options(visibilityMs: 200);
        var queue = new RedisChainEventQueue(_redis, options);
        var poison = Event(666);
        var poisonAttempts = new ConcurrentQueue<int>();
        var applied = new ConcurrentQueue<QueuedChainEvent>();
        var stillPoisonous = true;

        var consumer = new ChainEventConsumer(_redis, options);
        await using (new RunningConsumer(consumer, (m, _) =>
        {
            if (m.Event.TransactionHash == poison.TransactionHash && Volatile.Read(ref stillPoisonous))
            {
                poisonAttempts.Enqueue(m.DeliveryCount);
                throw new InvalidOperationException($"cannot apply, attempt {m.DeliveryCount}");
            }
            applied.Enqueue(m);
            return Task.CompletedTask;
        }))
        {
            var poisonId = (await queue.EnqueueAsync([Event(1), poison, Event(2)], default))[1];
            await Eventually.TrueAsync(() => poisonAttempts.Count >= 2, "the poison message was retried");
            await queue.EnqueueAsync([Event(3), Event(4)], default);
            await Eventually.TrueAsync(() => applied.Count >= 4, "the other messages kept flowing");

            await Eventually.TrueAsync(async () => (await Monitor(options).GetStatsAsync()).DeadLetters == 1, "the poison message was dead-lettered");
            Assert.Equal(Enumerable.Range(1, 10), poisonAttempts);
            Assert.Equal(new ChainEventQueueStats(0, 0, 1), await Monitor(options).GetStatsAsync());
            var dead = Assert.Single(await _redis.GetDatabase().StreamRangeAsync(options.DeadLetterStream));
            Assert.Equal(poisonId, dead["original_id"].ToString());
            Assert.Equal("10", dead["deliveries"].ToString());
            Assert.Contains("cannot apply, attempt 10", dead["error"].ToString());
            Assert.Contains(poison.TransactionHash, dead["data"].ToString());
            Assert.True(DateTimeOffset.TryParse(dead["failed_at"].ToString(), out _));

            Volatile.Write(ref stillPoisonous, false);
            Assert.Equal(1, await new DeadLetterStore(_redis, options).ReplayAsync(10, CancellationToken.None));
            await Eventually.TrueAsync(() => applied.Any(m => m.Event.TransactionHash == poison.TransactionHash), "the replayed message was applied");
            await WaitDrainedAsync(Monitor(options));
            Assert.Equal(new ChainEventQueueStats(0, 0, 0), await Monitor(options).GetStatsAsync());
            var replayed = Assert.Single(applied, m => m.Event.TransactionHash == poison.TransactionHash);
            Assert.Equal(1, replayed.DeliveryCount);
            Assert.NotEqual(poisonId, replayed.MessageId);
        }
        Assert.Equal(5, applied.Count);
    }

    [Fact]
    public async Task A_message_that_is_not_a_chain_event_is_dead_lettered_at_once()
    {
        var options = Options();
        var db = _redis.GetDatabase();
        var consumer = new ChainEventConsumer(_redis, options);
        var handled = new ConcurrentQueue<QueuedChainEvent>();
        await using (new RunningConsumer(consumer, (m, _) => { handled.Enqueue(m); return Task.CompletedTask; }))
        {
            var badId = await db.StreamAddAsync(options.StreamName, "data", "{not json");
            await new RedisChainEventQueue(_redis, options).EnqueueAsync([Event(1)], default);
            await Eventually.TrueAsync(async () => (await Monitor(options).GetStatsAsync()).DeadLetters == 1, "the bad message was dead-lettered");
            await Eventually.TrueAsync(() => handled.Count == 1, "the good message was handled");
            var dead = Assert.Single(await db.StreamRangeAsync(options.DeadLetterStream));
            Assert.Equal(badId.ToString(), dead["original_id"].ToString());
            Assert.Equal("{not json", dead["data"].ToString());
            Assert.Equal("1", dead["deliveries"].ToString());
            Assert.Contains("not a ChainEvent", dead["error"].ToString());
        }
    }

    [Fact]
    public async Task An_invalid_chain_event_from_the_handler_is_dead_lettered_after_the_limit_with_its_reason()
    {
        var options = Options(visibilityMs: 200) with { MaxDeliveries = 3 };
        var consumer = new ChainEventConsumer(_redis, options);
        var attempts = 0;
        await using (new RunningConsumer(consumer, (m, _) =>
        {
            Interlocked.Increment(ref attempts);
            return Task.FromException(new InvalidChainEventException("TicketPurchased has no parameter 'buyer'"));
        }))
        {
            await new RedisChainEventQueue(_redis, options).EnqueueAsync([Event(1)], default);
            await Eventually.TrueAsync(async () => (await Monitor(options).GetStatsAsync()).DeadLetters == 1, "the event was dead-lettered");
        }
        Assert.Equal(3, attempts);
        var dead = Assert.Single(await new DeadLetterStore(_redis, options).ListAsync(10, CancellationToken.None));
        Assert.Equal("deterministic", dead.Kind);
        Assert.Contains("no parameter 'buyer'", dead.Error);
        Assert.Equal(3, dead.Deliveries);
    }
}

public sealed class RedisChainEventQueueOutageTests(RedisServer server) : IClassFixture<RedisServer>, IDisposable
{
    private readonly ConnectionMultiplexer _redis = server.Connect();

    public void Dispose()
    {
        _redis.Dispose();
        server.Start(); // leave the fixture running whatever happened
    }

    [Fact]
    public async Task Enqueue_throws_QueueUnavailable_while_Redis_is_down_and_works_again_after_it_returns()
    {
        var options = Options();
        var queue = new RedisChainEventQueue(_redis, options);
        await queue.EnqueueAsync([Event(1)], default);

        server.Stop();
        await Assert.ThrowsAsync<QueueUnavailableException>(() => queue.EnqueueAsync([Event(2), Event(3)], default));

        server.Start();
        await Eventually.TrueAsync(async () =>
        {
            try
            {
                await queue.EnqueueAsync([Event(4)], default);
                return true;
            }
            catch (QueueUnavailableException)
            {
                return false; // still reconnecting
            }
        }, "enqueue works again after Redis restarted");
        // The restarted server had no persistence: only the event queued after the restart is there.
        Assert.Equal(1, await _redis.GetDatabase().StreamLengthAsync(options.StreamName));
    }
}
