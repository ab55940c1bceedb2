using Echain.Core;
using Echain.Core.Processing;
using StackExchange.Redis;

namespace Echain.Functions.Standalone.Queue;

/// <summary>
/// What becomes of a delivery that did not succeed: dead-lettered when it can never apply (not a chain event,
/// delivered too often, or <see cref="FailurePolicy"/> says so), otherwise left pending with its error recorded
/// in <see cref="RedisQueueOptions.ErrorsKey"/> for the retry after the visibility timeout.
/// </summary>
internal sealed class DeliveryFailureHandler(
    IConnectionMultiplexer redis, RedisQueueOptions options, DeadLetterStore deadLetters, ILogger logger)
{
    private IDatabase Db => redis.GetDatabase();

    /// <summary>The body can never become a chain event: dead-letter at once.</summary>
    public Task NotAChainEventAsync(Delivery delivery, string error)
    {
        EchainMetrics.EventsFailed.Add(1);
        return deadLetters.MoveAsync(delivery, "not-a-chain-event", error);
    }

    /// <summary>Delivered that often without success or failure being recorded: it kills or hangs its consumer.</summary>
    public async Task DeliveredTooOftenAsync(Delivery delivery)
    {
        var lastError = await Db.HashGetAsync(options.ErrorsKey, delivery.MessageId);
        await deadLetters.MoveAsync(delivery, "delivered-too-often", lastError.IsNull
            ? $"not acknowledged after {delivery.DeliveryCount - 1} deliveries (consumer died or exceeded the visibility timeout)"
            : lastError.ToString());
    }

    public async Task HandlerFailedAsync(Delivery delivery, Exception ex)
    {
        EchainMetrics.EventsFailed.Add(1);
        var error = Delivery.Describe(ex);
        var kind = FailurePolicy.Classify(ex);
        if (FailurePolicy.Decide(kind, delivery.DeliveryCount, options.MaxDeliveries) == FailureDecision.DeadLetter)
        {
            await deadLetters.MoveAsync(delivery, FailurePolicy.Tag(kind), error);
            return;
        }
        logger.LogWarning(ex, "Handler failed for message {MessageId} (delivery {DeliveryCount} of {Max}); retry after {Timeout}",
            delivery.MessageId, delivery.DeliveryCount, options.MaxDeliveries, options.VisibilityTimeout);
        var transaction = Db.CreateTransaction();
        var recorded = transaction.HashSetAsync(options.ErrorsKey, delivery.MessageId, error);
        // XCLAIM JUSTID to ourselves resets the idle time without counting a delivery, so the retry comes a
        // full visibility timeout after the failure rather than after the (possibly long) first attempt.
        var touched = transaction.StreamClaimIdsOnlyAsync(options.StreamName, options.GroupName, options.ConsumerName, 0, [delivery.MessageId]);
        if (await transaction.ExecuteAsync())
            await Task.WhenAll(recorded, touched);
    }
}
