using Echain.Core;
using Echain.Core.Processing;

namespace Echain.Functions.Standalone.Queue;

/// <summary>
/// The consumer's pause while failures do not count (<see cref="FailurePolicy.CountsTowardLimit"/>): a batch with
/// such failures and no success lengthens it (<see cref="FailurePolicy.Backoff"/>, capped), the first success
/// resets it. One per consumer, used by its loop only.
/// </summary>
internal sealed class TransientBackoff(RetryBackoff backoff, string consumer)
{
    private readonly KeyValuePair<string, object?> _consumerTag = new("consumer", consumer);

    /// <summary>Batches in a row that ended with uncounted failures and no success; 0 when the last batch succeeded.</summary>
    public int Step { get; private set; }

    /// <summary>The pause before the next read after a batch, or null to read at once.</summary>
    public TimeSpan? AfterBatch(int succeeded, int uncountedFailures)
    {
        if (succeeded > 0)
        {
            if (Step > 0)
                EchainMetrics.QueueBackoff.Record(0, _consumerTag);
            Step = 0;
            return null;
        }
        if (uncountedFailures == 0)
            return null; // only counted failures or dead letters: nothing says a dependency is down
        Step = Math.Min(Step + 1, 1_000);
        var pause = FailurePolicy.Backoff(Step, backoff);
        EchainMetrics.QueueBackoff.Record(pause.TotalSeconds, _consumerTag);
        return pause;
    }
}
