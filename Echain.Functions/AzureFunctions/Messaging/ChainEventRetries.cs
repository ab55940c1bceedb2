using System.Security.Cryptography;
using System.Text;
using Azure.Messaging.ServiceBus;
using Echain.Core.Chain;
using Echain.Core.Processing;
using Echain.Core.Queue;
using Microsoft.Extensions.Options;

namespace Echain.Functions.AzureFunctions.Messaging;

/// <summary>
/// A delayed copy of a message whose failure does not count (FailurePolicy.CountsTowardLimit): scheduled on the same
/// queue at now + <see cref="FailurePolicy.Backoff"/>, so that the original can be completed and a dependency that
/// is down costs no delivery, however long the outage.
/// </summary>
public sealed class ChainEventRetries(ServiceBusQueue queue, IOptions<ServiceBusOptions> options, TimeProvider clock)
{
    /// <summary>The copy scheduled for the next retry, its attempt number and when Service Bus will deliver it.</summary>
    public sealed record ScheduledRetry(string MessageId, int Attempt, DateTimeOffset At);

    /// <summary>Throws what Service Bus throws when the copy cannot be scheduled (the caller answers 500: Service Bus abandons).</summary>
    /// <param name="trace">what the failed copy carried: the retry stays in the webhook's trace and keeps its receive time.</param>
    public async Task<ScheduledRetry> ScheduleAsync(ChainEventDelivery delivery, ChainEvent chainEvent, QueuedTrace trace, CancellationToken ct)
    {
        var at = clock.GetUtcNow() + FailurePolicy.Backoff(delivery.Attempt, options.Value.Backoff);
        var copy = new ServiceBusMessage(BinaryData.FromString(ChainEventMessage.Serialize(chainEvent, trace)))
        {
            MessageId = RetryMessageId(delivery.MessageId),
            ContentType = "application/json",
            ApplicationProperties =
            {
                [ChainEventDelivery.OriginalIdProperty] = delivery.OriginalId,
                [ChainEventDelivery.AttemptProperty] = delivery.Attempt + 1,
                [ChainEventDelivery.CountedProperty] = delivery.CountedSoFar,
            },
        };
        await queue.Sender.ScheduleMessageAsync(copy, at, ct);
        return new ScheduledRetry(copy.MessageId, delivery.Attempt + 1, at);
    }

    /// <summary>
    /// Derived from the copy that failed, so a redelivery of that copy (the answer was lost) schedules the same id, which
    /// duplicate detection drops; and never an id used before, since every copy's own id is new.
    /// </summary>
    internal static string RetryMessageId(string failedMessageId) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes("retry:" + failedMessageId)).AsSpan(0, 16)).ToString();
}
