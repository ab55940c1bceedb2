using Echain.Core.Processing;
using Echain.Core.Realtime;

namespace Echain.Functions.Standalone.Queue;

/// <summary>
/// ProcessChainEvent on the standalone host: the Redis Stream consumer group feeds the processor, whose
/// messages go to the in-process hub. The counterpart of the Azure Functions ProcessChainEvent function.
/// </summary>
public sealed class ProcessChainEventWorker(
    ChainEventConsumer consumer, IChainEventProcessor processor, IRealtimePublisher publisher,
    RedisQueueOptions options, ILogger<ProcessChainEventWorker> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Consume)
        {
            logger.LogInformation("Echain:Queue:Consume is false: ingest-only instance, no projection here.");
            return Task.CompletedTask;
        }
        // A lane's messages of one read go to the processor together: one transaction, one invalidation, one send per lane.
        return consumer.RunLanesAsync(async (messages, ct) =>
        {
            var results = await processor.ProcessBatchAsync(messages.Select(m => new QueuedLog(m.Event, m.Trace)).ToArray(), publisher, ct);
            return results.Select(r => r.Failure).ToArray();
        }, stoppingToken);
    }
}
