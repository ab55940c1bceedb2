using System.Text.Json;
using Echain.Core.Chain;

namespace Echain.Core.Deliveries;

/// <summary>
/// What the log can tell from a raw body without the parser's verdict: the transaction hashes it names and its type.
/// A refused delivery (bad signature, bad JSON, cut at MaxBodyBytes) produced no events, yet an operator searching for
/// its transaction must find it; so the body is read leniently and as far as it is readable.
/// </summary>
internal static class DeliveryBodyFacts
{
    private static readonly JsonReaderOptions Lenient = new()
    {
        AllowTrailingCommas = true,
        CommentHandling = JsonCommentHandling.Skip,
        MaxDepth = 64,
    };

    public static (List<string> Hashes, string? EventType) Read(ReadOnlySpan<byte> body)
    {
        var hashes = new List<string>();
        string? eventType = null;
        var reader = new Utf8JsonReader(body, Lenient);
        string? property = null;
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName)
                {
                    property = reader.GetString();
                    continue;
                }
                if (reader.TokenType == JsonTokenType.String && property is not null)
                {
                    if (IsTransactionHashName(property) && TransactionHashes.TryNormalize(reader.GetString(), out var hash))
                        hashes.Add(hash);
                    // Depth 1: a member of the top-level object ({type}, {eventType}; the flat shape has none).
                    else if (eventType is null && reader.CurrentDepth == 1 && property is "type" or "eventType" or "event_type")
                        eventType = reader.GetString();
                }
                property = null;
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Invalid JSON or UTF-8, or a body cut short: what was read before that point is what the log can know.
        }
        return (hashes, eventType);
    }

    private static bool IsTransactionHashName(string name) =>
        name.Replace("_", "", StringComparison.Ordinal).Equals("transactionhash", StringComparison.OrdinalIgnoreCase);

    /// <summary>PostgreSQL text cannot hold U+0000: the log shows U+FFFD in its place (the body itself is kept as bytes).</summary>
    public static string? Storable(string? text) =>
        text is null || !text.Contains('\0') ? text : text.Replace('\0', '\uFFFD');
}
