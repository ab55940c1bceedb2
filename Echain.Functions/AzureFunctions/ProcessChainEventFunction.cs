using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Echain.Core;
using Echain.Core.Chain;
using Echain.Core.Processing;
using Echain.Core.Queue;
using Echain.Core.Telemetry;
using Echain.Functions.AzureFunctions.Messaging;

namespace Echain.Functions.AzureFunctions;

/// <summary>
/// ProcessChainEvent. Trigger: serviceBusTrigger <c>message</c> (queue "chain-events").
/// Output: <c>signalRMessages</c> (signalR, hub "echain"). The one failure policy (<see cref="FailurePolicy"/>):
/// a failure that does not count (a dependency down, a conflict) schedules a delayed copy of the message
/// (<see cref="ChainEventRetries"/>) and answers 200 with no output, so Service Bus completes the original and no
/// delivery is spent, however long the outage; a failure that counts answers 500, Service Bus abandons the message and
/// dead-letters it at maxDeliveryCount 10, its reason recorded for the admin list (<see cref="DeadLetterReasons"/>).
/// </summary>
public static class ProcessChainEventFunction
{
    public const string Name = "ProcessChainEvent";

    public static async Task<InvocationResult> RunAsync(
        FunctionInvocation invocation, IChainEventProcessor processor, ChainEventRetries retries, DeadLetterReasons reasons,
        ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger(Name);
        var delivery = ChainEventDelivery.From(invocation);

        var chainEvent = ReadMessage(invocation.Data[BindingNames.Message], out var trace, out var error);
        if (chainEvent is null)
        {
            logger.LogError("Poison message {MessageId} (delivery {DeliveryCount}): {Error}; Service Bus dead-letters it after maxDeliveryCount",
                delivery.MessageId, delivery.DeliveryCount, error);
            await reasons.RecordAsync(delivery.OriginalId, "not-a-chain-event", error ?? "", delivery.Deliveries);
            return InvocationResult.Failed($"poison: {error}");
        }

        // The limit is the message's, not the copy's: earlier copies' counted failures travel with it. Over the limit, no
        // work is tried again; the copy fails fast until Service Bus dead-letters it (the last counted reason stays recorded).
        if (delivery.CountedSoFar >= FailurePolicy.MaxDeliveries)
        {
            EchainMetrics.ServiceBusOverLimit.Add(1);
            logger.LogError("Message {OriginalId} {Key} failed {Counted} times in a way that counts; failing until Service Bus dead-letters it",
                delivery.OriginalId, chainEvent.Key, delivery.CountedSoFar);
            return InvocationResult.Failed($"delivered-too-often: {delivery.CountedSoFar} counted failures");
        }

        // The message's span, under the webhook request that queued it (its context travels in the message body).
        using var span = EchainTracing.StartProcess(chainEvent, trace, "servicebus", FunctionCatalog.ChainEventsQueue);
        var signalRMessages = new SignalROutput();
        try
        {
            await processor.ProcessAsync(chainEvent, trace, signalRMessages, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            EchainTracing.Failed(span, e);
            var failure = FailurePolicy.Classify(e);
            var kind = FailurePolicy.Tag(failure);
            ProcessingLog.Failed(logger, chainEvent, kind, delivery.Deliveries, FailurePolicy.CountsTowardLimit(failure), e.Message);
            if (FailurePolicy.CountsTowardLimit(failure))
            {
                logger.LogError("Message {OriginalId} {Key} (delivery {Deliveries}, counted {Counted}) failed ({Kind}); Service Bus redelivers it until maxDeliveryCount: {Error}",
                    delivery.OriginalId, chainEvent.Key, delivery.Deliveries, delivery.CountedSoFar + 1, kind, e.Message);
                await reasons.RecordAsync(delivery.OriginalId, kind, e.Message, delivery.Deliveries);
                return InvocationResult.Failed($"{kind}: {e.Message}");
            }
            return await RetryLaterAsync(delivery, chainEvent, trace, kind, e, retries, logger, ct);
        }
        return InvocationResult.Ok().Output(BindingNames.SignalRMessages, signalRMessages.ToJson());
    }

    /// <summary>200 without output once the copy is scheduled (the original completes, nothing was emitted); 500 if it is not.</summary>
    private static async Task<InvocationResult> RetryLaterAsync(ChainEventDelivery delivery, ChainEvent chainEvent, QueuedTrace trace, string kind,
        Exception failure, ChainEventRetries retries, ILogger logger, CancellationToken ct)
    {
        try
        {
            var retry = await retries.ScheduleAsync(delivery, chainEvent, trace, ct);
            EchainMetrics.ServiceBusRetriesScheduled.Add(1, new KeyValuePair<string, object?>("kind", kind));
            logger.LogWarning("Message {OriginalId} {Key} failed ({Kind}, not counted); retry {Attempt} scheduled for {At:O} as {RetryId}: {Error}",
                delivery.OriginalId, chainEvent.Key, kind, retry.Attempt, retry.At, retry.MessageId, failure.Message);
            return InvocationResult.Ok().Log($"{kind}: retry {retry.Attempt} scheduled for {retry.At:O}");
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // Service Bus abandons the message and redelivers it at once; that delivery counts (the only way left).
            EchainMetrics.ServiceBusRetryFailures.Add(1);
            logger.LogError("Message {OriginalId} {Key} failed ({Kind}) and its retry could not be scheduled; Service Bus abandons it: {Error}; scheduling: {ScheduleError}",
                delivery.OriginalId, chainEvent.Key, kind, failure.Message, e.Message);
            return InvocationResult.Failed($"{kind}: {failure.Message}; the retry could not be scheduled: {e.Message}");
        }
    }

    /// <summary>
    /// The event as the host hands the message over: a JSON object, or a string holding the JSON
    /// (possibly JSON-encoded once more, or base64 of UTF-8 JSON when the host saw bytes).
    /// </summary>
    internal static ChainEvent? ReadMessage(JsonNode? message, out QueuedTrace trace, out string? error)
    {
        trace = QueuedTrace.None;
        for (var depth = 0; depth < 3; depth++)
        {
            switch (message)
            {
                case JsonObject obj:
                    return ChainEventMessage.TryDeserialize(obj.ToJsonString(), out trace, out error);
                case JsonValue value when value.TryGetValue<string>(out var text):
                    text = text.Trim();
                    if (text.StartsWith('{')) return ChainEventMessage.TryDeserialize(text, out trace, out error);
                    try
                    {
                        message = text.StartsWith('"')
                            ? JsonValue.Create(JsonSerializer.Deserialize<string>(text))
                            : JsonNode.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(text)));
                    }
                    catch (Exception e) when (e is JsonException or FormatException)
                    {
                        error = $"message is neither a ChainEvent JSON document nor base64 of one: {e.Message}";
                        return null;
                    }
                    break;
                default:
                    error = message is null ? "Data.message is missing" : $"Data.message is a {message.GetValueKind()}, not a ChainEvent";
                    return null;
            }
        }
        error = "message is encoded too many times";
        return null;
    }
}
