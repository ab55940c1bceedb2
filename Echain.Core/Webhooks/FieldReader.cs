using System.Globalization;
using System.Text.Json;
using Echain.Core.Chain;

namespace Echain.Core.Webhooks;

/// <summary>
/// Reads fields and keeps the first error instead of throwing: readers return a placeholder after a failure,
/// and <see cref="Result"/> discards the event when any read failed. Bad input is expected here, not exceptional.
/// Errors name fields as spelled in the payload, under <paramref name="prefix"/> (e.g. "data." in an envelope).
/// </summary>
internal sealed class FieldReader(string prefix = "")
{
    public WebhookParseError? Error { get; private set; }

    public WebhookParseResult Result(ChainEvent? chainEvent) =>
        Error is not null ? WebhookParseResult.Fail(Error) : WebhookParseResult.Ok(chainEvent!);

    /// <summary>Where this reader's fields sit in the payload ("" at the top, "data." in an envelope).</summary>
    public string Prefix => prefix;

    public void Missing(string name) =>
        Error ??= new(WebhookParseErrorKind.MissingField, $"{prefix}{name} is missing", prefix + name);

    /// <summary><paramref name="message"/> starts with the field's name as the payload spells it: the prefix is added.</summary>
    public void Invalid(string name, string message) =>
        Error ??= new(WebhookParseErrorKind.InvalidField, prefix + message, prefix + name);

    /// <summary>
    /// A network name is part of every stored key, so it must be storable and printable: no control characters
    /// (U+0000 cannot be stored in PostgreSQL text at all), at most 64 characters.
    /// </summary>
    public string Network(JsonElement root, string name)
    {
        var s = RequiredString(root, name);
        if (s.Length > 64 || s.Any(char.IsControl))
        {
            Invalid(name, $"{name} must be at most 64 characters without control characters");
            return "";
        }
        return s;
    }

    public string RequiredString(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) { Missing(name); return ""; }
        if (v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s) return s;
        Invalid(name, $"{name} must be a non-empty string");
        return "";
    }

    public string? OptionalString(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s) return s;
        Invalid(name, $"{name} must be a non-empty string");
        return null;
    }

    public string TransactionHash(JsonElement root, string name)
    {
        var s = RequiredString(root, name);
        if (TransactionHashes.TryNormalize(s, out var hash)) return hash;
        if (s.Length > 0) Invalid(name, $"{name} is not a 32-byte hex hash");
        return "";
    }

    public string Address(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) { Missing(name); return ""; }
        if (v.ValueKind == JsonValueKind.String && EthAddress.TryNormalize(v.GetString(), out var a)) return a;
        Invalid(name, $"{name} is not an address");
        return "";
    }

    /// <summary>A uint256 that may arrive as a JSON number or a decimal/hex string.</summary>
    public string Uint(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) { Missing(name); return ""; }
        if (Uint256.TryCanonicalize(NumberText(v), out var canonical)) return canonical;
        Invalid(name, $"{name} is not a uint256");
        return "";
    }

    public long NonNegativeInteger(JsonElement root, string name, long max)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) { Missing(name); return 0; }
        if (Uint256.TryParse(NumberText(v), out var value) && value <= max) return (long)value;
        Invalid(name, $"{name} must be a non-negative integer");
        return 0;
    }

    public DateTimeOffset? OptionalTime(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
            return time.ToUniversalTime();
        Invalid(name, $"{name} is not an ISO-8601 time");
        return null;
    }

    private static string? NumberText(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => v.GetString(),
        JsonValueKind.Number => v.GetRawText(),
        _ => null,
    };
}
