using StackExchange.Redis;

namespace Echain.Functions.Standalone.Queue;

/// <summary>One delivery of a stream message to this consumer. <paramref name="Data"/> is null when the entry has
/// no data field; <paramref name="DeliveryCount"/> is 1 on the first delivery (the Redis delivery counter);
/// <paramref name="RecordedOutcomes"/> is how many earlier deliveries ended with a recorded failure.</summary>
internal sealed record Delivery(string MessageId, string? Data, int DeliveryCount, int RecordedOutcomes = 0)
{
    private const int MaxErrorLength = 4000;

    public static Delivery Of(StreamEntry entry, int deliveryCount, int recordedOutcomes = 0) =>
        new(entry.Id.ToString(), DataOf(entry), deliveryCount, recordedOutcomes);

    /// <summary>Earlier deliveries that never reported back: the consumer died, hung, or overran the visibility timeout.
    /// Retries after a recorded failure (however many transient ones) are not among them.</summary>
    public int UnrecordedDeliveries => Math.Max(0, DeliveryCount - 1 - RecordedOutcomes);

    /// <summary>The "delivered too often" guard: this many deliveries without an outcome means the message itself kills its consumer.</summary>
    public bool DeliveredTooOften(int maxDeliveries) => UnrecordedDeliveries >= maxDeliveries;

    public static string? DataOf(StreamEntry entry)
    {
        var data = entry[RedisQueueOptions.DataField];
        return data.IsNull ? null : data.ToString();
    }

    /// <summary>The error text kept in Redis (error hash, dead letter) for a failed delivery.</summary>
    public static string Describe(Exception ex) => Truncate($"{ex.GetType().FullName}: {ex.Message}");

    public static string Truncate(string text) => text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];
}
