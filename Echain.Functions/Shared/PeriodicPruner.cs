namespace Echain.Functions.Shared;

/// <summary>
/// Deletes what is past its retention every <see cref="Interval"/>, on every instance (a delete that finds nothing is
/// cheap). A failure (PostgreSQL down) is logged and only defers the delete to the next interval: what is kept grows a
/// little meanwhile.
/// </summary>
public abstract class PeriodicPruner(TimeProvider time, ILogger logger) : BackgroundService
{
    /// <summary>What is pruned, as the log names it ("delivery log rows").</summary>
    protected abstract string Subject { get; }

    protected abstract TimeSpan Interval { get; }

    /// <summary>One delete; returns how many went.</summary>
    protected abstract Task<int> PruneOnceAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var pruned = await PruneOnceAsync(stoppingToken);
                if (pruned > 0) logger.LogInformation("Pruned {Count} {Subject}", pruned, Subject);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "Pruning {Subject} failed; trying again in {Interval}", Subject, Interval);
            }

            try
            {
                await Task.Delay(Interval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }
}
