using StackExchange.Redis;

namespace Echain.Functions.Standalone.Queue;

/// <summary>
/// Takes over messages idle longer than the visibility timeout (failed, or their consumer died) with XAUTOCLAIM,
/// scanning the pending list in batches. One per consumer: it keeps the scan's cursor and when the next scan is due.
/// </summary>
internal sealed class IdleMessageReclaimer(IConnectionMultiplexer redis, RedisQueueOptions options, ILogger logger)
{
    private RedisValue _cursor = "0-0";
    private long _nextScanAt;

    public bool Due => Environment.TickCount64 >= _nextScanAt;

    /// <summary>How long until the next scan is due (at least 1 ms).</summary>
    public TimeSpan UntilDue => TimeSpan.FromMilliseconds(Math.Max(1, _nextScanAt - Environment.TickCount64));

    public async Task ReclaimAsync(List<Delivery> batch)
    {
        var db = redis.GetDatabase();
        var visibilityMs = (long)options.VisibilityTimeout.TotalMilliseconds;
        var claim = await db.StreamAutoClaimAsync(options.StreamName, options.GroupName, options.ConsumerName,
            visibilityMs, _cursor, options.BatchSize);
        _cursor = claim.NextStartId;
        var scanComplete = claim.NextStartId.IsNull || claim.NextStartId == "0-0";
        if (scanComplete)
            _cursor = "0-0";
        // A full scan waits half a visibility timeout; a partial one continues on the next loop turn.
        _nextScanAt = Environment.TickCount64 + (scanComplete ? Math.Max(10, visibilityMs / 2) : 0);

        var claimed = claim.ClaimedEntries.Where(e => !e.IsNull).ToArray();
        if (claimed.Length == 0)
            return;

        // XAUTOCLAIM does not return the delivery counter; XPENDING does (already counting this delivery). The
        // outcomes hash says how many of those deliveries reported a failure, for the "delivered too often" guard.
        var counts = await Task.WhenAll(claimed.Select(e =>
            db.StreamPendingMessagesAsync(options.StreamName, options.GroupName, 1, options.ConsumerName, e.Id, e.Id)));
        var outcomes = await db.HashGetAsync(options.OutcomesKey, claimed.Select(e => e.Id).ToArray());
        for (var i = 0; i < claimed.Length; i++)
        {
            if (counts[i].Length == 0)
                continue; // another consumer claimed it in between: it is theirs now
            var delivery = Delivery.Of(claimed[i], counts[i][0].DeliveryCount, outcomes[i].IsNull ? 0 : (int)(long)outcomes[i]);
            logger.LogDebug("Reclaimed message {MessageId} (delivery {DeliveryCount}, {Unrecorded} without outcome)",
                delivery.MessageId, delivery.DeliveryCount, delivery.UnrecordedDeliveries);
            batch.Add(delivery);
        }
    }
}
