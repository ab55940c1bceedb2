using System.Diagnostics;
using Echain.Core.Chain;
using Microsoft.Extensions.Logging;

namespace Echain.Core.Processing;

/// <summary>
/// One structured line per log the queue hands over, with stable event ids (2101–2107) an operator filters on, on both
/// hosts (applied, already-applied, rolled back and ignored under Echain.Core.Processing.ChainEventProcessor; failed,
/// dead-lettered and replayed under the queue's own category): the log key, the event, the outcome, the duration and the trace id. Every
/// outcome is Information, redeliveries and ignored logs included (one line per delivered log, no more than the
/// webhooks that caused them), except a dead letter: an Error, as it was before these lines, since it pages someone. Never a body, a token or a connection id; an error is the exception's message only.
/// </summary>
public static partial class ProcessingLog
{
    /// <summary>The current trace's id, or "-" outside a trace, so the field is always present.</summary>
    public static string TraceId => Activity.Current?.TraceId.ToHexString() ?? "-";

    /// <summary>Milliseconds since <paramref name="startTimestamp"/> (from <see cref="Stopwatch.GetTimestamp"/>).</summary>
    public static double MillisecondsSince(long startTimestamp) =>
        Math.Round(Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds, 1);

    /// <param name="trace">the log's own trace (a batch's logs each have theirs); the current one when it carries none.</param>
    public static void Processed(ILogger logger, LogKey key, string eventName, Projection.ProjectionStatus status, double durationMs, string? reason,
        ActivityContext trace = default)
    {
        var traceId = trace.TraceId != default ? trace.TraceId.ToHexString() : TraceId;
        switch (status)
        {
            case Projection.ProjectionStatus.Applied: Applied(logger, key.Network, key.TransactionHash, key.LogIndex, eventName, durationMs, traceId); break;
            case Projection.ProjectionStatus.AlreadyApplied: AlreadyApplied(logger, key.Network, key.TransactionHash, key.LogIndex, eventName, durationMs, traceId); break;
            case Projection.ProjectionStatus.RolledBack: RolledBack(logger, key.Network, key.TransactionHash, key.LogIndex, eventName, durationMs, traceId); break;
            default: Ignored(logger, key.Network, key.TransactionHash, key.LogIndex, eventName, durationMs, reason ?? "", traceId); break;
        }
    }

    /// <summary>Once per split, not per log: each log's own line follows when it is applied alone.</summary>
    [LoggerMessage(EventId = 2108, EventName = "BatchSplit", Level = LogLevel.Information,
        Message = "batch of {Count} logs failed ({ErrorType}); applying them one by one trace={TraceId}")]
    public static partial void BatchSplit(ILogger logger, int count, string errorType, string traceId);

    [LoggerMessage(EventId = 2101, EventName = "LogApplied", Level = LogLevel.Information,
        Message = "applied {Network}/{TxHash}/{LogIndex} {EventName} outcome=applied in {DurationMs} ms trace={TraceId}")]
    private static partial void Applied(ILogger logger, string network, string txHash, int logIndex, string eventName, double durationMs, string traceId);

    [LoggerMessage(EventId = 2102, EventName = "LogAlreadyApplied", Level = LogLevel.Information,
        Message = "already-applied {Network}/{TxHash}/{LogIndex} {EventName} outcome=already-applied (redelivery) in {DurationMs} ms trace={TraceId}")]
    private static partial void AlreadyApplied(ILogger logger, string network, string txHash, int logIndex, string eventName, double durationMs, string traceId);

    [LoggerMessage(EventId = 2103, EventName = "LogRolledBack", Level = LogLevel.Information,
        Message = "rolled-back {Network}/{TxHash}/{LogIndex} {EventName} outcome=rolled-back in {DurationMs} ms trace={TraceId}")]
    private static partial void RolledBack(ILogger logger, string network, string txHash, int logIndex, string eventName, double durationMs, string traceId);

    [LoggerMessage(EventId = 2104, EventName = "LogIgnored", Level = LogLevel.Information,
        Message = "ignored {Network}/{TxHash}/{LogIndex} {EventName} outcome=ignored in {DurationMs} ms: {Reason} trace={TraceId}")]
    private static partial void Ignored(ILogger logger, string network, string txHash, int logIndex, string eventName, double durationMs, string reason, string traceId);

    /// <summary>A failed delivery: <paramref name="kind"/> is <see cref="FailurePolicy.Tag"/> (transient, conflict, deterministic, unexpected).</summary>
    [LoggerMessage(EventId = 2105, EventName = "LogFailed", Level = LogLevel.Information,
        Message = "failed {Network}/{TxHash}/{LogIndex} {EventName} outcome=failed kind={Kind} attempt={Attempt} counted={Counted}: {Error} trace={TraceId}")]
    public static partial void Failed(ILogger logger, string network, string txHash, int logIndex, string eventName,
        string kind, int attempt, bool counted, string error, string traceId);

    /// <summary>Moved to the dead letters; <paramref name="key"/> is "-" when the message is not a chain event.</summary>
    [LoggerMessage(EventId = 2106, EventName = "LogDeadLettered", Level = LogLevel.Error,
        Message = "dead-lettered {Key} {EventName} outcome=dead-lettered reason={Reason} message={MessageId} after {Failures} counted failures: {Error} trace={TraceId}")]
    public static partial void DeadLettered(ILogger logger, string key, string eventName, string reason, string messageId, int failures, string error, string traceId);

    [LoggerMessage(EventId = 2107, EventName = "LogReplayed", Level = LogLevel.Information,
        Message = "replayed {Key} {EventName} outcome=replayed dead-letter={DeadLetterId} as message={MessageId} trace={TraceId}")]
    public static partial void Replayed(ILogger logger, string key, string eventName, string deadLetterId, string messageId, string traceId);

    public static void Failed(ILogger logger, ChainEvent? chainEvent, string kind, int attempt, bool counted, string error) =>
        Failed(logger, chainEvent?.Network ?? "-", chainEvent?.TransactionHash ?? "-", chainEvent?.LogIndex ?? -1, chainEvent?.EventName ?? "-",
            kind, attempt, counted, error, TraceId);

    public static void DeadLettered(ILogger logger, ChainEvent? chainEvent, string reason, string messageId, int failures, string error) =>
        DeadLettered(logger, chainEvent?.Key.ToString() ?? "-", chainEvent?.EventName ?? "-", reason, messageId, failures, error, TraceId);

    public static void Replayed(ILogger logger, ChainEvent? chainEvent, string deadLetterId, string messageId) =>
        Replayed(logger, chainEvent?.Key.ToString() ?? "-", chainEvent?.EventName ?? "-", deadLetterId, messageId, TraceId);
}
