using Azure.Messaging.ServiceBus;
using Echain.Core.Chain;
using Echain.Core.Queue;

namespace Echain.Functions.AzureFunctions.Messaging;

/// <summary>
/// "chain-events" for code without an output binding (a replay route, say): the same JSON document the
/// <c>serviceBus</c> output sends, one batch per call so that all events are queued or none.
/// </summary>
public sealed class ServiceBusChainEventQueue(ServiceBusQueue queue) : IChainEventQueue
{
    public async Task<IReadOnlyList<string>> EnqueueAsync(IReadOnlyList<ChainEvent> events, QueuedTrace trace, CancellationToken cancellationToken)
    {
        if (events.Count == 0) return [];
        var messages = events.Select(e => new ServiceBusMessage(BinaryData.FromString(ChainEventMessage.Serialize(e, trace)))
        {
            MessageId = Guid.NewGuid().ToString(),
            ContentType = "application/json",
        }).ToList();
        try
        {
            await queue.Sender.SendMessagesAsync(messages, cancellationToken);
        }
        catch (Exception e) when (e is ServiceBusException or InvalidOperationException or UnauthorizedAccessException
                                      or Azure.Identity.AuthenticationFailedException)
        {
            throw new QueueUnavailableException($"Service Bus queue unavailable: {e.Message}", e);
        }
        return messages.Select(m => m.MessageId).ToArray();
    }
}
