using System.Diagnostics;
using Echain.Core.Chain;
using Echain.Core.Projection;
using Echain.Core.Reads;
using Echain.Core.Realtime;
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
    Task<ProjectionOutcome> ProcessAsync(ChainEvent chainEvent, IRealtimePublisher publisher, CancellationToken cancellationToken);
}

/// <summary>
/// The queue-triggered work, host-agnostic: apply to PostgreSQL (one transaction), then
/// invalidate the cache, then emit. The order is the read-after-notification guarantee: a client that
/// got the message for change X can only read state that includes X.
/// </summary>
public sealed class ChainEventProcessor(TicketProjector projector, IReadCache cache, ILogger<ChainEventProcessor> logger)
    : IChainEventProcessor
{
    public async Task<ProjectionOutcome> ProcessAsync(ChainEvent chainEvent, IRealtimePublisher publisher, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var outcome = await ApplyWithConflictRetriesAsync(chainEvent, cancellationToken);
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
            await cache.InvalidateAsync(outcome.CacheResources, cancellationToken); // the cache counts what it invalidates
        }

        if (outcome.Messages.Count > 0)
        {
            await publisher.PublishAsync(outcome.Messages, cancellationToken);
            EchainMetrics.RealtimeMessagesSent.Add(outcome.Messages.Count);
            // A removal's corrections are kept in rolled_back_logs; the projector marks the right outbox.
            await projector.MarkDeliveredAsync(chainEvent, cancellationToken);
        }

        ProcessingLog.Processed(logger, outcome.Key, chainEvent.EventName, outcome.Status, ProcessingLog.MillisecondsSince(started), outcome.Reason);
        return outcome;
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
