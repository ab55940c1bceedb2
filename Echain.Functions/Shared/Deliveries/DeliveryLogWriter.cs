using Echain.Core;
using Echain.Core.Deliveries;
using Echain.Core.Processing;
using Microsoft.Extensions.Options;

namespace Echain.Functions.Shared.Deliveries;

/// <summary>
/// Drains the <see cref="DeliveryLogBuffer"/> into PostgreSQL, one COPY per batch, on both hosts (the Functions custom
/// handler is this same ASP.NET Core app, so hosted services run there too). While PostgreSQL is down the batch is
/// kept and retried after <see cref="FailurePolicy.Backoff"/>; the buffer meanwhile keeps the newest deliveries. A
/// row PostgreSQL refuses by itself is dropped alone (counted), not retried forever. On shutdown what is buffered is flushed.
/// </summary>
public sealed class DeliveryLogWriter(DeliveryLogBuffer buffer, DeliveryLogStore store, IOptions<DeliveryLogOptions> options,
    TimeProvider time, ILogger<DeliveryLogWriter> logger) : BackgroundService
{
    /// <summary>How long the host's stop may spend writing what is still buffered.</summary>
    private static readonly TimeSpan FlushTimeout = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WriteUntilStoppedAsync(stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: the flush below writes what is left.
        }
        await FlushAsync();
    }

    private async Task WriteUntilStoppedAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            var batch = buffer.Take(options.Value.BatchSize);
            if (batch.Count == 0)
            {
                await buffer.WaitAsync(stoppingToken);
                continue;
            }
            for (var attempt = 1; !await TryWriteAsync(batch, stoppingToken); attempt++)
                await Task.Delay(FailurePolicy.Backoff(attempt, options.Value.Backoff), time, stoppingToken);
            buffer.Written();
        }
    }

    /// <summary>False when PostgreSQL is unavailable (keep the batch, back off); true once written or given up.</summary>
    private async Task<bool> TryWriteAsync(IReadOnlyList<BufferedDelivery> batch, CancellationToken ct)
    {
        try
        {
            await store.InsertAsync(batch, ct);
            EchainMetrics.DeliveriesLogged.Add(batch.Count);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            var kind = FailurePolicy.Classify(e);
            if (!FailurePolicy.CountsTowardLimit(kind))
            {
                logger.LogWarning("Delivery log: {Count} deliveries not written ({Kind}: {Error}); retrying", batch.Count,
                    FailurePolicy.Tag(kind), e.Message);
                return false;
            }
            // One row PostgreSQL cannot take must not sink the batch: write them one by one, dropping only the refused.
            if (batch.Count > 1)
            {
                foreach (var single in batch)
                    if (!await TryWriteAsync([single], ct)) return false;
                return true;
            }
            logger.LogError(e, "Delivery log: a delivery received at {ReceivedAt} was refused by PostgreSQL and dropped", batch[0].Delivery.ReceivedAt);
            EchainMetrics.CountDeliveriesDropped(1, "unwritable");
            return true;
        }
    }

    private async Task FlushAsync()
    {
        using var timeout = new CancellationTokenSource(FlushTimeout, time);
        try
        {
            // Take hands back first the batch the loop was writing when it stopped.
            for (var batch = buffer.Take(options.Value.BatchSize); batch.Count > 0; batch = buffer.Take(options.Value.BatchSize))
            {
                if (!await TryWriteAsync(batch, timeout.Token)) break;
                buffer.Written();
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            // Out of time: counted below.
        }
        var lost = buffer.Count;
        if (lost > 0)
        {
            logger.LogWarning("Delivery log: {Count} deliveries still buffered at shutdown were not written", lost);
            EchainMetrics.CountDeliveriesDropped(lost, "shutdown");
        }
    }
}
