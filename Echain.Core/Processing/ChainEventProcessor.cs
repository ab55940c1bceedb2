using System.Diagnostics;
using Echain.Core.Chain;
using Echain.Core.Projection;
using Echain.Core.Queue;
using Echain.Core.Reads;
using Echain.Core.Realtime;
using Echain.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Echain.Core.Processing;

/// <summary>The queue-triggered work as each host's trigger calls it; decorated by the benchmark's timers.</summary>
public interface IChainEventProcessor
{
    /// <summary>
    /// Throws on failure; <see cref="FailurePolicy.Classify"/> tells the caller whether the delivery can
    /// succeed later (the queue redelivers) or never (poison).
    /// </summary>
    /// <param name="trace">what the message carried beside the event: the webhook's receive time times the latencies.</param>
    Task<ProjectionOutcome> ProcessAsync(ChainEvent chainEvent, QueuedTrace trace, IRealtimePublisher publisher, CancellationToken cancellationToken);
}

public static class ChainEventProcessorExtensions
{
    /// <summary>A log with no webhook behind it (tests, the subgraph's harness): no latency from a receive time.</summary>
    public static Task<ProjectionOutcome> ProcessAsync(this IChainEventProcessor processor, ChainEvent chainEvent,
        IRealtimePublisher publisher, CancellationToken cancellationToken) =>
        processor.ProcessAsync(chainEvent, QueuedTrace.None, publisher, cancellationToken);
}

/// <summary>
/// The queue-triggered work, host-agnostic: apply to PostgreSQL (one transaction), then
/// invalidate the cache, then emit. The order is the read-after-notification guarantee: a client that
/// got the message for change X can only read state that includes X. Each step is a span of the message's trace, and
/// the latencies an operator is paged on are measured here, where commit and send happen (<see cref="KpiMetrics"/>).
/// </summary>
public sealed class ChainEventProcessor(TicketProjector projector, IReadCache cache, ILogger<ChainEventProcessor> logger, TimeProvider? time = null)
    : IChainEventProcessor
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<ProjectionOutcome> ProcessAsync(ChainEvent chainEvent, QueuedTrace trace, IRealtimePublisher publisher,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        ProjectionOutcome outcome;
        using (var span = EchainTracing.Source.StartActivity(EchainTracing.Spans.Project))
        {
            outcome = await ApplyWithConflictRetriesAsync(chainEvent, cancellationToken);
            span?.SetTag(EchainTracing.Tags.Outcome, ProjectionOutcomes.Tag(outcome.Status));
        }
        var committedAt = _time.GetUtcNow();
        // Timed only for a log this delivery changed: a redelivery's commit happened earlier, and the reconciler's logs have no webhook.
        var changed = outcome.Status is ProjectionStatus.Applied or ProjectionStatus.RolledBack;
        var receivedAt = changed && chainEvent.Origin == ChainEventOrigin.Webhook ? trace.ReceivedAt : null;
        KpiMetrics.ProjectionDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds,
            new KeyValuePair<string, object?>("status", ProjectionOutcomes.Tag(outcome.Status)));
        if (receivedAt is not null) KpiMetrics.WebhookToApplied.Record((committedAt - receivedAt.Value).TotalMilliseconds);
        if (changed && chainEvent.Origin == ChainEventOrigin.Webhook && chainEvent.BlockTime is { } blockTime)
            KpiMetrics.RecordFreshness(blockTime, committedAt);
        EchainMetrics.CountProcessed(outcome);
        EchainMetrics.CountReconciled(chainEvent, outcome);
        if (outcome.Status == ProjectionStatus.Ignored)
        {
            ProcessingLog.Processed(logger, outcome.Key, chainEvent.EventName, outcome.Status, ProcessingLog.MillisecondsSince(started), outcome.Reason);
            return outcome;
        }

        // Applied, RolledBack and AlreadyApplied alike. Invalidate even for a redelivery: an earlier attempt may have
        // committed and then failed to reach Redis, and a stale entry must not survive that.
        if (outcome.CacheResources.Count > 0)
        {
            using var span = EchainTracing.Source.StartActivity(EchainTracing.Spans.Invalidate);
            span?.SetTag("echain.cache.resources", outcome.CacheResources.Count);
            await cache.InvalidateAsync(outcome.CacheResources, cancellationToken); // the cache counts what it invalidates
        }

        if (outcome.Messages.Count > 0)
        {
            using (var span = EchainTracing.Source.StartActivity(EchainTracing.Spans.Send))
            {
                span?.SetTag("echain.realtime.messages", outcome.Messages.Count);
                await publisher.PublishAsync(outcome.Messages, cancellationToken);
            }
            EchainMetrics.RealtimeMessagesSent.Add(outcome.Messages.Count);
            if (changed) RecordRealtimeLatency(committedAt, receivedAt);
            // A removal's corrections are kept in rolled_back_logs; the projector marks the right outbox.
            await projector.MarkDeliveredAsync(chainEvent, cancellationToken);
        }

        ProcessingLog.Processed(logger, outcome.Key, chainEvent.EventName, outcome.Status, ProcessingLog.MillisecondsSince(started), outcome.Reason);
        return outcome;
    }

    private void RecordRealtimeLatency(DateTimeOffset committedAt, DateTimeOffset? receivedAt)
    {
        var sentAt = _time.GetUtcNow();
        KpiMetrics.RealtimeLatency.Record((sentAt - committedAt).TotalMilliseconds, new KeyValuePair<string, object?>("from", "commit"));
        if (receivedAt is not null)
            KpiMetrics.RealtimeLatency.Record((sentAt - receivedAt.Value).TotalMilliseconds, new KeyValuePair<string, object?>("from", "webhook"));
    }

    /// <summary>
    /// A deadlock or serialization failure between two logs touching the same rows rolls the whole
    /// transaction back, so trying again at once is safe — and far sooner than the queue's redelivery
    /// (a visibility timeout later). Anything else, or a conflict that persists, goes to the queue.
    /// </summary>
    private async Task<ProjectionOutcome> ApplyWithConflictRetriesAsync(ChainEvent chainEvent, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await projector.ApplyAsync(chainEvent, cancellationToken);
            }
            catch (PostgresException e) when (attempt < FailurePolicy.ConflictAttempts && FailurePolicy.Classify(e) == FailureKind.Conflict)
            {
                EchainMetrics.ProjectionConflicts.Add(1);
                logger.LogInformation("{Key}: {SqlState} on attempt {Attempt}; trying again", chainEvent.Key, e.SqlState, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 * attempt)), cancellationToken);
            }
        }
    }
}
