using Echain.Core.Processing;
using Echain.Core.Queue;
using Echain.Functions.Realtime;

namespace Echain.Functions.Hosting;

/// <summary>ProcessChainEvent on the standalone host: the Redis Stream consumer group feeds the processor.</summary>
public sealed class ChainEventQueueWorker(
    ChainEventConsumer consumer, ChainEventProcessor processor, HubRealtimePublisher publisher) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        consumer.RunAsync((message, ct) => processor.ProcessAsync(message.Event, publisher, ct), stoppingToken);
}
