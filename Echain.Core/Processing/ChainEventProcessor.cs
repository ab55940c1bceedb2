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
    /// Processes the logs of one lane in their order and returns one result per log, never throwing for a log's failure
    /// (only for cancellation). <see cref="FailurePolicy.Classify"/> tells the caller whether a failed log can succeed later
    /// (the queue redelivers) or never (poison).
    /// </summary>
    Task<IReadOnlyList<ProcessingResult>> ProcessBatchAsync(IReadOnlyList<QueuedLog> logs, IRealtimePublisher publisher, CancellationToken cancellationToken);
}

public static class ChainEventProcessorExtensions
{
    /// <summary>One log; throws its failure.</summary>
    /// <param name="trace">what the message carried beside the event: the webhook's receive time times the latencies.</param>
    public static async Task<ProjectionOutcome> ProcessAsync(this IChainEventProcessor processor, ChainEvent chainEvent, QueuedTrace trace,
        IRealtimePublisher publisher, CancellationToken cancellationToken) =>
        (await processor.ProcessBatchAsync([new QueuedLog(chainEvent, trace)], publisher, cancellationToken))[0].OutcomeOrThrow();

    /// <summary>A log with no webhook behind it (tests, the subgraph's harness): no latency from a receive time.</summary>
    public static Task<ProjectionOutcome> ProcessAsync(this IChainEventProcessor processor, ChainEvent chainEvent,
        IRealtimePublisher publisher, CancellationToken cancellationToken) =>
        processor.ProcessAsync(chainEvent, QueuedTrace.None, publisher, cancellationToken);
}

/// <summary>
/// The queue-triggered work, host-agnostic: apply to PostgreSQL (one transaction per batch), then invalidate the cache
/// (one pipelined round trip per batch), then emit, then mark the messages delivered (one statement per batch). The order
/// is the read-after-notification guarantee: a client that got the message for change X can only read state that includes
/// X. A batch that fails is applied again one log at a time, so one poison log fails alone and the others go on. Each step
/// is a span of the message's trace, and the latencies an operator is paged on are measured here, where commit and send
/// happen (<see cref="KpiMetrics"/>).
/// </summary>
public sealed class ChainEventProcessor(TicketProjector projector, IReadCache cache, ILogger<ChainEventProcessor> logger, TimeProvider? time = null)
    : IChainEventProcessor
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    public async Task<IReadOnlyList<ProcessingResult>> ProcessBatchAsync(IReadOnlyList<QueuedLog> logs, IRealtimePublisher publisher,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(logs);
        var results = new ProcessingResult[logs.Count];
        foreach (var segment in LogBatch.Of(logs))
        {
            if (segment.Count > 1)
            {
                try
                {
                    var together = await ProcessTogetherAsync(segment, publisher, cancellationToken);
                    foreach (var (index, result) in segment.Indices.Zip(together)) results[index] = result;
                    continue;
                }
                catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
                {
                    ProcessingLog.BatchSplit(logger, segment.Count, e.GetType().Name, ProcessingLog.TraceId);
                }
            }
            foreach (var index in segment.Indices)
            {
                try
                {
                    results[index] = (await ProcessTogetherAsync(LogBatch.One(logs, index), publisher, cancellationToken))[0];
                }
                catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
                {
                    results[index] = ProcessingResult.Failed(e);
                }
            }
        }
        return results;
    }

    /// <summary>One transaction for the batch's logs, then their effects together; throws when any step fails.</summary>
    private async Task<ProcessingResult[]> ProcessTogetherAsync(LogBatch batch, IRealtimePublisher publisher, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        ProjectionOutcome[] outcomes;
        using (var span = EchainTracing.Source.StartActivity(EchainTracing.Spans.Project))
        {
            outcomes = await ApplyWithConflictRetriesAsync(batch, cancellationToken);
            if (outcomes is [var only]) span?.SetTag(EchainTracing.Tags.Outcome, ProjectionOutcomes.Tag(only.Status));
            else span?.SetTag("echain.batch.size", outcomes.Length);
        }
        var committedAt = _time.GetUtcNow();
        var durationMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        for (var i = 0; i < outcomes.Length; i++) RecordApplied(batch[i], outcomes[i], committedAt, durationMs);

        // Applied, RolledBack and AlreadyApplied alike. Invalidate even for a redelivery: an earlier attempt may have
        // committed and then failed to reach Redis, and a stale entry must not survive that.
        var owed = outcomes.Where(o => o.Status != ProjectionStatus.Ignored).ToArray();
        var resources = owed.SelectMany(o => o.CacheResources).Distinct(StringComparer.Ordinal).ToArray();
        if (resources.Length > 0)
        {
            using var span = EchainTracing.Source.StartActivity(EchainTracing.Spans.Invalidate);
            span?.SetTag("echain.cache.resources", resources.Length);
            await cache.InvalidateAsync(resources, cancellationToken); // the cache counts what it invalidates
        }

        var messages = owed.SelectMany(o => o.Messages).ToArray();
        if (messages.Length > 0)
        {
            using (var span = EchainTracing.Source.StartActivity(EchainTracing.Spans.Send))
            {
                span?.SetTag("echain.realtime.messages", messages.Length);
                await publisher.PublishAsync(messages, cancellationToken);
            }
            EchainMetrics.RealtimeMessagesSent.Add(messages.Length);
            var sentAt = _time.GetUtcNow();
            for (var i = 0; i < outcomes.Length; i++)
                if (outcomes[i].Messages.Count > 0 && Changed(outcomes[i])) RecordRealtimeLatency(committedAt, sentAt, ReceivedAt(batch[i], outcomes[i]));
            await MarkDeliveredAsync(batch, outcomes, cancellationToken);
        }

        var results = new ProcessingResult[outcomes.Length];
        for (var i = 0; i < outcomes.Length; i++)
        {
            ProcessingLog.Processed(logger, outcomes[i].Key, batch[i].Event.EventName, outcomes[i].Status, ProcessingLog.MillisecondsSince(started),
                outcomes[i].Reason, batch[i].Trace.Parent);
            results[i] = ProcessingResult.Succeeded(outcomes[i]);
        }
        return results;
    }

    /// <summary>A removal's corrections are kept in rolled_back_logs (alone in its batch); every other log's in applied_logs.</summary>
    private Task MarkDeliveredAsync(LogBatch batch, ProjectionOutcome[] outcomes, CancellationToken cancellationToken)
    {
        if (batch is [{ Event.Removed: true } removal]) return projector.MarkDeliveredAsync(removal.Event, cancellationToken);
        return projector.MarkDeliveredAsync(outcomes.Where(o => o.Messages.Count > 0).Select(o => o.Key).ToArray(), cancellationToken);
    }

    private static bool Changed(ProjectionOutcome outcome) => outcome.Status is ProjectionStatus.Applied or ProjectionStatus.RolledBack;

    /// <summary>Timed only for a log this delivery changed: a redelivery's commit happened earlier, and the reconciler's logs have no webhook.</summary>
    private static DateTimeOffset? ReceivedAt(QueuedLog log, ProjectionOutcome outcome) =>
        Changed(outcome) && log.Event.Origin == ChainEventOrigin.Webhook ? log.Trace.ReceivedAt : null;

    private static void RecordApplied(QueuedLog log, ProjectionOutcome outcome, DateTimeOffset committedAt, double durationMs)
    {
        KpiMetrics.ProjectionDuration.Record(durationMs, new KeyValuePair<string, object?>("status", ProjectionOutcomes.Tag(outcome.Status)));
        if (ReceivedAt(log, outcome) is { } receivedAt) KpiMetrics.WebhookToApplied.Record((committedAt - receivedAt).TotalMilliseconds);
        if (Changed(outcome) && log.Event.Origin == ChainEventOrigin.Webhook && log.Event.BlockTime is { } blockTime)
            KpiMetrics.RecordFreshness(blockTime, committedAt);
        EchainMetrics.CountProcessed(outcome);
        EchainMetrics.CountReconciled(log.Event, outcome);
    }

    private static void RecordRealtimeLatency(DateTimeOffset committedAt, DateTimeOffset sentAt, DateTimeOffset? receivedAt)
    {
        KpiMetrics.RealtimeLatency.Record((sentAt - committedAt).TotalMilliseconds, new KeyValuePair<string, object?>("from", "commit"));
        if (receivedAt is not null)
            KpiMetrics.RealtimeLatency.Record((sentAt - receivedAt.Value).TotalMilliseconds, new KeyValuePair<string, object?>("from", "webhook"));
    }

    /// <summary>
    /// A deadlock or serialization failure between two transactions touching the same rows rolls the whole
    /// transaction back, so trying again at once is safe — and far sooner than the queue's redelivery
    /// (a visibility timeout later). Anything else, or a conflict that persists, goes to the caller.
    /// </summary>
    private async Task<ProjectionOutcome[]> ApplyWithConflictRetriesAsync(LogBatch batch, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return batch is [{ Event.Removed: true } removal]
                    ? [await projector.ApplyAsync(removal.Event, cancellationToken)]
                    : await projector.ApplyBatchAsync(batch.Events, cancellationToken);
            }
            catch (PostgresException e) when (attempt < FailurePolicy.ConflictAttempts && FailurePolicy.Classify(e) == FailureKind.Conflict)
            {
                EchainMetrics.ProjectionConflicts.Add(1);
                logger.LogInformation("{Key}: {SqlState} on attempt {Attempt}; trying again", batch[0].Event.Key, e.SqlState, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 * attempt)), cancellationToken);
            }
        }
    }
}
