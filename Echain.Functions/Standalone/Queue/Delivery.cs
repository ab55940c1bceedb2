using StackExchange.Redis;

namespace Echain.Functions.Standalone.Queue;

/// <summary>One delivery of a stream message to this consumer. <paramref name="Data"/> is null when the entry has
/// no data field; <paramref name="DeliveryCount"/> is 1 on the first delivery.</summary>
internal sealed record Delivery(string MessageId, string? Data, int DeliveryCount)
{
    private const int MaxErrorLength = 4000;

    public static Delivery Of(StreamEntry entry, int deliveryCount) => new(entry.Id.ToString(), DataOf(entry), deliveryCount);

    public static string? DataOf(StreamEntry entry)
    {
        var data = entry[RedisQueueOptions.DataField];
        return data.IsNull ? null : data.ToString();
    }

    /// <summary>The error text kept in Redis (error hash, dead letter) for a failed delivery.</summary>
    public static string Describe(Exception ex) => Truncate($"{ex.GetType().FullName}: {ex.Message}");

    public static string Truncate(string text) => text.Length <= MaxErrorLength ? text : text[..MaxErrorLength];
}
