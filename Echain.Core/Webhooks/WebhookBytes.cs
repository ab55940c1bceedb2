using System.Text.Json;
using System.Text.Unicode;

namespace Echain.Core.Webhooks;

/// <summary>
/// The byte-level checks before a body is read as JSON: a leading UTF-8 byte-order mark is skipped (the
/// signature covers it; the JSON starts after it), the rest must be UTF-8, and no string or name may escape a
/// lone surrogate (<c>"\ud800"</c>), which no .NET, PostgreSQL or Redis string can carry. Each failure is a 400.
/// </summary>
internal static class WebhookBytes
{
    private static ReadOnlySpan<byte> Bom => [0xEF, 0xBB, 0xBF];

    public static ReadOnlyMemory<byte> WithoutBom(ReadOnlyMemory<byte> body) =>
        body.Span.StartsWith(Bom) ? body[Bom.Length..] : body;

    /// <summary>Null when the bytes are UTF-8 and every escaped string decodes; else the error, naming the field.</summary>
    public static WebhookParseError? Check(ReadOnlySpan<byte> json)
    {
        if (!Utf8.IsValid(json))
            return new(WebhookParseErrorKind.InvalidEncoding, "The body is not valid UTF-8.");

        // Only escaped strings can hold a lone surrogate (valid UTF-8 cannot encode one), and only as \u: without one,
        // the walk below (a token pass and a string per property name) cannot find anything. Malformed JSON is left to the parser.
        if (json.IndexOf("\\u"u8) < 0) return null;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 32 });
        var path = new List<string>();
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is not (JsonTokenType.PropertyName or JsonTokenType.String)) continue;
                var depth = reader.CurrentDepth;
                string? text = null;
                if (reader.ValueIsEscaped)
                {
                    try { text = reader.GetString(); }
                    catch (InvalidOperationException)
                    {
                        var field = string.Join('.', path.Take(depth - (reader.TokenType == JsonTokenType.PropertyName ? 1 : 0)));
                        return new(WebhookParseErrorKind.InvalidEncoding,
                            $"{(field.Length == 0 ? "A property name" : field)} escapes a lone UTF-16 surrogate, which no text can hold.",
                            field.Length == 0 ? null : field);
                    }
                }
                if (reader.TokenType != JsonTokenType.PropertyName) continue;
                // Property names by depth (a name and its value share the depth of the object's members).
                if (path.Count >= depth) path.RemoveRange(depth - 1, path.Count - depth + 1);
                path.Add(text ?? reader.GetString()!);
            }
        }
        catch (JsonException)
        {
            // Malformed JSON: JsonDocument.Parse reports it with its position, as before.
        }
        return null;
    }
}
