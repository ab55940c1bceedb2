using System.Globalization;
using Azure.Messaging.ServiceBus;
using Echain.Core.Processing;
using Echain.Core.Queue;

namespace Echain.Functions.AzureFunctions.Messaging;

/// <summary>
/// The dead-letter sub-queue of "chain-events" for the admin routes: listed by peeking (nothing is locked), replayed
/// by receiving, sending a fresh copy to the queue (new id, counters reset) and completing the dead letter.
/// </summary>
public sealed class ServiceBusDeadLetterQueue(ServiceBusQueue queue, DeadLetterReasons reasons, ILogger<ServiceBusDeadLetterQueue> logger)
    : IDeadLetterQueue
{
    /// <summary>How long a replay waits for the next dead letter before it decides the sub-queue is empty.</summary>
    private static readonly TimeSpan ReceiveWait = TimeSpan.FromSeconds(1);

    public async Task<IReadOnlyList<DeadLetter>> ListAsync(int max, CancellationToken cancellationToken)
    {
        await using var receiver = queue.CreateDeadLetterReceiver();
        var list = new List<DeadLetter>();
        long? from = null;
        while (list.Count < max)
        {
            var batch = await receiver.PeekMessagesAsync(max - list.Count, from, cancellationToken);
            if (batch.Count == 0) break;
            foreach (var message in batch) list.Add(await DescribeAsync(message));
            from = batch[^1].SequenceNumber + 1;
        }
        return list;
    }

    public async Task<int> ReplayAsync(int max, CancellationToken cancellationToken)
    {
        await using var receiver = queue.CreateDeadLetterReceiver();
        var replayed = 0;
        while (replayed < max)
        {
            var batch = await receiver.ReceiveMessagesAsync(max - replayed, ReceiveWait, cancellationToken);
            if (batch.Count == 0) break;
            foreach (var message in batch)
            {
                var originalId = OriginalId(message);
                // Only the original id goes along: attempt and counted failures start over, as the delivery count does.
                var copy = new ServiceBusMessage(message.Body)
                {
                    MessageId = Guid.NewGuid().ToString(),
                    ContentType = message.ContentType,
                    ApplicationProperties = { [ChainEventDelivery.OriginalIdProperty] = originalId },
                };
                await queue.Sender.SendMessageAsync(copy, cancellationToken);
                // Sent, then completed: a crash in between replays it twice, which the idempotent projector absorbs.
                await receiver.CompleteMessageAsync(message, cancellationToken);
                await reasons.ForgetAsync(originalId);
                replayed++;
                ProcessingLog.Replayed(logger, ChainEventMessage.TryDeserialize(message.Body.ToString(), out _),
                    message.SequenceNumber.ToString(CultureInfo.InvariantCulture), copy.MessageId);
            }
        }
        Echain.Core.EchainMetrics.ServiceBusDeadLettersReplayed.Add(replayed);
        return replayed;
    }

    private async Task<DeadLetter> DescribeAsync(ServiceBusReceivedMessage message)
    {
        var originalId = OriginalId(message);
        var reason = await reasons.ReadAsync(originalId);
        // Without a record (Redis was down when it failed) Service Bus's own reason still says what happened.
        return new DeadLetter(
            message.SequenceNumber.ToString(CultureInfo.InvariantCulture),
            originalId,
            reason?.Kind ?? (message.DeadLetterReason == "MaxDeliveryCountExceeded" ? "delivered-too-often" : message.DeadLetterReason ?? "unknown"),
            reason?.Error ?? message.DeadLetterErrorDescription ?? "",
            reason?.Deliveries ?? message.DeliveryCount,
            reason?.FailedAt ?? "",
            message.Body.ToString());
    }

    private static string OriginalId(ServiceBusReceivedMessage message) =>
        message.ApplicationProperties.TryGetValue(ChainEventDelivery.OriginalIdProperty, out var id) && id is not null
            ? Convert.ToString(id, CultureInfo.InvariantCulture) ?? message.MessageId
            : message.MessageId;
}
