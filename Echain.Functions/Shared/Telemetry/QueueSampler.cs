using Echain.Core.Queue;
using Echain.Core.Telemetry;
using Microsoft.Extensions.Options;

namespace Echain.Functions.Shared.Telemetry;

/// <summary>
/// Samples the queue every Echain:Telemetry:QueueSampleInterval for the gauges (length, pending, oldest message, dead
/// letters): a gauge's callback must not wait on Redis. Ends at once where the host has no monitor (Service Bus on Azure,
/// whose namespace metrics say the same).
/// </summary>
public sealed class QueueSampler(IServiceProvider services, IOptions<TelemetryOptions> options, ILogger<QueueSampler> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (services.GetService<IChainEventQueueMonitor>() is not { } monitor) return;
        using var timer = new PeriodicTimer(options.Value.QueueSampleInterval);
        var failing = false;
        do
        {
            try
            {
                var stats = await monitor.GetStatsAsync();
                KpiMetrics.RecordQueue(stats.Length, stats.Pending, stats.DeadLetters, stats.OldestAge);
                if (failing) logger.LogInformation("Queue sampling works again");
                failing = false;
            }
            catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
            {
                // Redis is down: the gauges keep their last values, health says why; one line per outage, not per sample.
                if (!failing) logger.LogWarning("Queue sampling failed ({Error}); the queue gauges keep their last values", e.GetType().Name);
                failing = true;
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
