using System.Runtime.ExceptionServices;
using Echain.Core.Chain;
using Echain.Core.Projection;
using Echain.Core.Queue;

namespace Echain.Core.Processing;

/// <summary>A log as a queue delivered it: the event and what its message carried beside it.</summary>
public sealed record QueuedLog(ChainEvent Event, QueuedTrace Trace);

/// <summary>What processing one queued log came to: its outcome, or the failure the caller's failure policy judges.</summary>
public sealed record ProcessingResult(ProjectionOutcome? Outcome, Exception? Failure)
{
    public static ProcessingResult Succeeded(ProjectionOutcome outcome) => new(outcome, null);

    public static ProcessingResult Failed(Exception failure) => new(null, failure);

    /// <summary>The outcome, or the failure rethrown with its original stack.</summary>
    public ProjectionOutcome OutcomeOrThrow()
    {
        if (Failure is not null) ExceptionDispatchInfo.Capture(Failure).Throw();
        return Outcome ?? throw new InvalidOperationException("A processing result holds an outcome or a failure.");
    }
}
