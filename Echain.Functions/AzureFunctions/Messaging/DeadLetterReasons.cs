using System.Globalization;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Echain.Functions.AzureFunctions.Messaging;

/// <summary>
/// Why a Service Bus message failed in a way that counts, kept in a Redis hash per original message id. The handler
/// cannot write it onto the message: the Functions host holds the lock and settles (abandons) it, and Service Bus
/// dead-letters with its own reason ("MaxDeliveryCountExceeded"). The original id survives every retry copy and
/// replay, so the admin list finds the record for whichever copy was dead-lettered.
/// </summary>
public sealed class DeadLetterReasons(IConnectionMultiplexer redis, IOptions<ServiceBusOptions> options, ILogger<DeadLetterReasons> logger)
{
    public sealed record Reason(string Kind, string Error, int Deliveries, string FailedAt);

    private static RedisKey Key(string originalId) => "echain:v1:servicebus:dead-letter-reason:" + originalId;

    /// <summary>Records the last counted failure. A Redis failure is logged, not thrown: the failure itself still answers 500.</summary>
    public async Task RecordAsync(string originalId, string kind, string error, int deliveries)
    {
        try
        {
            var db = redis.GetDatabase();
            await db.HashSetAsync(Key(originalId),
            [
                new("kind", kind), new("error", error),
                new("deliveries", deliveries.ToString(CultureInfo.InvariantCulture)),
                new("failed_at", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture)),
            ]);
            await db.KeyExpireAsync(Key(originalId), options.Value.ReasonRetention);
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning("Could not record why message {OriginalId} failed ({Kind}); its dead letter will show Service Bus's reason: {Error}",
                originalId, kind, e.Message);
        }
    }

    /// <summary>Null when none was recorded (or Redis cannot say: logged, and the dead letter shows Service Bus's reason).</summary>
    public async Task<Reason?> ReadAsync(string originalId)
    {
        try
        {
            var fields = (await redis.GetDatabase().HashGetAllAsync(Key(originalId))).ToDictionary(e => e.Name.ToString(), e => e.Value.ToString());
            if (!fields.TryGetValue("kind", out var kind)) return null;
            return new Reason(kind, fields.GetValueOrDefault("error", ""),
                int.TryParse(fields.GetValueOrDefault("deliveries"), CultureInfo.InvariantCulture, out var n) ? n : 0,
                fields.GetValueOrDefault("failed_at", ""));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            logger.LogWarning("Could not read why message {OriginalId} failed: {Error}", originalId, e.Message);
            return null;
        }
    }

    /// <summary>After a replay the message starts over; a stale reason must not describe its next dead letter.</summary>
    public Task ForgetAsync(string originalId) => redis.GetDatabase().KeyDeleteAsync(Key(originalId));
}
