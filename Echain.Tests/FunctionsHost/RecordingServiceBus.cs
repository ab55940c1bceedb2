using System.Text.Json.Nodes;
using Azure.Messaging.ServiceBus;

namespace Echain.Tests.FunctionsHost;

/// <summary>
/// The Service Bus namespace as the handler's own client sees it, recorded in memory: no Service Bus runs here, and the
/// SDK's client, sender and receiver are abstract-enough classes with protected constructors made for this. What it
/// records is what the handler asked for (scheduled copies, sends); <see cref="DeadLetters"/> is filled by the test's
/// <see cref="ServiceBusEmulation"/>, the way Service Bus dead-letters a message at maxDeliveryCount.
/// </summary>
public sealed class RecordingServiceBus : ServiceBusClient
{
    private readonly object _gate = new();
    private readonly List<(ServiceBusMessage Message, DateTimeOffset At, DateTimeOffset Asked)> _scheduled = [];
    private readonly List<ServiceBusMessage> _sent = [];
    private readonly List<ServiceBusReceivedMessage> _deadLetters = [];
    private long _sequence;

    /// <summary>When set, ScheduleMessageAsync throws it (a namespace that cannot be reached).</summary>
    public Exception? ScheduleFailure { get; set; }
    /// <summary>When set, SendMessage(s)Async throws it.</summary>
    public Exception? SendFailure { get; set; }

    public IReadOnlyList<(ServiceBusMessage Message, DateTimeOffset At, DateTimeOffset Asked)> Scheduled { get { lock (_gate) return [.. _scheduled]; } }
    public IReadOnlyList<ServiceBusMessage> Sent { get { lock (_gate) return [.. _sent]; } }
    public IReadOnlyList<ServiceBusReceivedMessage> DeadLetters { get { lock (_gate) return [.. _deadLetters]; } }

    /// <summary>Takes the scheduled copies due at <paramref name="now"/> off the schedule, as Service Bus enqueues them.</summary>
    public IReadOnlyList<ServiceBusMessage> TakeDue(DateTimeOffset now)
    {
        lock (_gate)
        {
            var due = _scheduled.Where(s => s.At <= now).ToList();
            foreach (var item in due) _scheduled.Remove(item);
            return due.Select(d => d.Message).ToList();
        }
    }

    public void ClearRecords()
    {
        lock (_gate) { _scheduled.Clear(); _sent.Clear(); _deadLetters.Clear(); }
    }

    /// <summary>What Service Bus does at maxDeliveryCount: the message moves to the dead-letter sub-queue with its reason.</summary>
    public void DeadLetter(string messageId, JsonNode body, IDictionary<string, object> properties, int deliveryCount)
    {
        var withReason = new Dictionary<string, object>(properties)
        {
            ["DeadLetterReason"] = "MaxDeliveryCountExceeded",
            ["DeadLetterErrorDescription"] = $"Message could not be consumed after {deliveryCount} delivery attempts.",
        };
        lock (_gate)
            _deadLetters.Add(ServiceBusModelFactory.ServiceBusReceivedMessage(BinaryData.FromString(body.ToJsonString()), messageId,
                contentType: "application/json", properties: withReason, lockTokenGuid: Guid.NewGuid(), deliveryCount: deliveryCount,
                sequenceNumber: ++_sequence, deadLetterSource: "chain-events"));
    }

    public override ServiceBusSender CreateSender(string queueOrTopicName) => new Sender(this, queueOrTopicName);
    public override ServiceBusSender CreateSender(string queueOrTopicName, ServiceBusSenderOptions options) => new Sender(this, queueOrTopicName);

    public override ServiceBusReceiver CreateReceiver(string queueName, ServiceBusReceiverOptions options)
    {
        if (options.SubQueue != SubQueue.DeadLetter) throw new NotSupportedException("the handler only receives from the dead-letter sub-queue");
        return new DeadLetterReceiver(this, queueName);
    }

    public override ValueTask DisposeAsync() => default;

    private sealed class Sender(RecordingServiceBus bus, string queue) : ServiceBusSender
    {
        public override string EntityPath => queue;

        public override Task<long> ScheduleMessageAsync(ServiceBusMessage message, DateTimeOffset scheduledEnqueueTime, CancellationToken cancellationToken = default)
        {
            if (bus.ScheduleFailure is { } failure) throw failure;
            lock (bus._gate)
            {
                bus._scheduled.Add((message, scheduledEnqueueTime, DateTimeOffset.UtcNow));
                return Task.FromResult(++bus._sequence);
            }
        }

        public override Task SendMessageAsync(ServiceBusMessage message, CancellationToken cancellationToken = default) =>
            SendMessagesAsync([message], cancellationToken);

        public override Task SendMessagesAsync(IEnumerable<ServiceBusMessage> messages, CancellationToken cancellationToken = default)
        {
            if (bus.SendFailure is { } failure) throw failure;
            lock (bus._gate) bus._sent.AddRange(messages);
            return Task.CompletedTask;
        }

        public override ValueTask DisposeAsync() => default;
    }

    private sealed class DeadLetterReceiver(RecordingServiceBus bus, string queue) : ServiceBusReceiver
    {
        private readonly HashSet<Guid> _locked = [];

        public override string EntityPath => queue + "/$deadletterqueue";

        public override Task<IReadOnlyList<ServiceBusReceivedMessage>> PeekMessagesAsync(int maxMessages, long? fromSequenceNumber = null, CancellationToken cancellationToken = default)
        {
            lock (bus._gate)
                return Task.FromResult<IReadOnlyList<ServiceBusReceivedMessage>>(bus._deadLetters
                    .Where(m => m.SequenceNumber >= (fromSequenceNumber ?? 0)).OrderBy(m => m.SequenceNumber).Take(maxMessages).ToList());
        }

        public override Task<IReadOnlyList<ServiceBusReceivedMessage>> ReceiveMessagesAsync(int maxMessages, TimeSpan? maxWaitTime = null, CancellationToken cancellationToken = default)
        {
            lock (bus._gate)
            {
                var batch = bus._deadLetters.Where(m => !_locked.Contains(m.LockTokenGuid())).OrderBy(m => m.SequenceNumber).Take(maxMessages).ToList();
                foreach (var m in batch) _locked.Add(m.LockTokenGuid());
                return Task.FromResult<IReadOnlyList<ServiceBusReceivedMessage>>(batch);
            }
        }

        public override Task CompleteMessageAsync(ServiceBusReceivedMessage message, CancellationToken cancellationToken = default)
        {
            lock (bus._gate)
            {
                if (!_locked.Remove(message.LockTokenGuid()) || !bus._deadLetters.Remove(message))
                    throw new ServiceBusException("lock lost", ServiceBusFailureReason.MessageLockLost);
            }
            return Task.CompletedTask;
        }

        public override ValueTask DisposeAsync() => default;
    }
}

internal static class ReceivedMessageLocks
{
    public static Guid LockTokenGuid(this ServiceBusReceivedMessage message) => Guid.Parse(message.LockToken);
}
