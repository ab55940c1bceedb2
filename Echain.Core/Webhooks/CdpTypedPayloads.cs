using System.Text.Json;

namespace Echain.Core.Webhooks;

/// <summary>
/// The typed CDP payloads: the <c>{id, type, createdAt, data}</c> envelope of CDP's signature-verification page and
/// the v2 events <c>{eventId, timestamp, eventType, data}</c>. Their <c>data</c> is one decoded log in camelCase
/// (<c>transactionHash</c>, <c>logIndex</c>, …; an envelope around the snake_case log is read too), or CDP's health.
/// </summary>
public static partial class CoinbaseWebhookParser
{
    /// <summary>The raw health data kept with a health update, at most this many characters of its JSON.</summary>
    private const int MaxHealthDataChars = 2048;

    private static WebhookParseResult ParseTyped(JsonElement root, string type, string idField, string? deliveryId)
    {
        var payloadId = TypeOf(root, idField);
        deliveryId ??= payloadId;
        var result = type switch
        {
            OnchainActivityDetected or WalletActivityDetected => ParseLog(root, deliveryId),
            HealthStatusUpdated => ParseHealth(root, payloadId),
            _ => Unknown(type, payloadId),
        };
        return result with { EventType = type, PayloadId = payloadId };
    }

    private static WebhookParseResult Unknown(string type, string? payloadId) =>
        new([], null) { Kind = WebhookPayloadKind.UnknownType, EventType = type, PayloadId = payloadId };

    private static WebhookParseResult ParseLog(JsonElement root, string? deliveryId)
    {
        if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
            return WebhookParseResult.Fail(new(WebhookParseErrorKind.InvalidField, "data must be an object", "data"));
        var read = new FieldReader("data.");
        return ReadLog(data, read, data.TryGetProperty("transaction_hash", out _) ? LogFields.SnakeCase : LogFields.CamelCase, deliveryId);
    }

    /// <summary>
    /// CDP's health of one of its services. Only the envelope fields are documented field by field; from data we
    /// read a status and the service it is about under the likely names, and keep the data's JSON (capped).
    /// </summary>
    private static WebhookParseResult ParseHealth(JsonElement root, string? payloadId)
    {
        var read = new FieldReader();
        var occurredAt = read.OptionalTime(root, "timestamp") ?? read.OptionalTime(root, "createdAt");
        if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
            read.Invalid("data", "data must be an object");
        if (read.Error is { } error) return WebhookParseResult.Fail(error);

        var status = FirstString(data, "status", "healthStatus", "currentStatus", "computedStatus") ?? "unknown";
        var service = FirstString(data, "service", "serviceName", "operation", "operationName", "name");
        var raw = data.GetRawText();
        if (raw.Length > MaxHealthDataChars) raw = raw[..MaxHealthDataChars];
        var update = new CdpHealthUpdate(payloadId, occurredAt, Trim(status), service is null ? null : Trim(service), raw);
        return new WebhookParseResult([], null) { Kind = WebhookPayloadKind.Health, Health = update };

        static string Trim(string s) => s.Length > 64 ? s[..64] : s;
    }

    private static string? FirstString(JsonElement data, params string[] names)
    {
        foreach (var name in names)
            if (data.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s)
                return s;
        return null;
    }
}
