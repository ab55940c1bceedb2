using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Echain.Core.Projection;

/// <summary>
/// The reversible escape that lets PostgreSQL hold any string a contract can emit. PostgreSQL text and jsonb cannot
/// hold U+0000, which is legal on chain (a title may contain it). Stored form: U+0000 becomes U+FFFF '0', and U+FFFF
/// (a noncharacter, reserved for exactly this kind of internal use) becomes U+FFFF U+FFFF; nothing else changes, so
/// every string without either character is stored as it is. Reads undo it, so every answer carries the original.
/// Applied at the PostgreSQL boundary only: text columns written from C# (titles, descriptions, ticket types) and
/// every string inside the jsonb columns (applied parameters, outbox and history messages).
/// </summary>
internal static class PgText
{
    public const char Escape = '\uFFFF';

    public static string Store(string value)
    {
        if (value.AsSpan().IndexOfAny('\0', Escape) < 0) return value;
        var stored = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (c == '\0') stored.Append(Escape).Append('0');
            else if (c == Escape) stored.Append(Escape).Append(Escape);
            else stored.Append(c);
        }
        return stored.ToString();
    }

    public static string? StoreNullable(string? value) => value is null ? null : Store(value);

    /// <summary>The original of a stored string. An escape before anything else than '0' or itself is kept as it is.</summary>
    public static string Read(string stored)
    {
        if (stored.IndexOf(Escape) < 0) return stored;
        var value = new StringBuilder(stored.Length);
        for (var i = 0; i < stored.Length; i++)
        {
            if (stored[i] == Escape && i + 1 < stored.Length && stored[i + 1] is '0' or Escape)
            {
                value.Append(stored[i + 1] == '0' ? '\0' : Escape);
                i++;
            }
            else
            {
                value.Append(stored[i]);
            }
        }
        return value.ToString();
    }

    public static string? ReadNullable(string? stored) => stored is null ? null : Read(stored);

    /// <summary>JSON for a jsonb column: every string (values and names) in its stored form.</summary>
    public static string Jsonb<T>(T value, JsonSerializerOptions options)
    {
        var json = JsonSerializer.Serialize(value, options);
        // The serializer writes U+0000 and U+FFFF as escapes: without them the JSON is stored as it is.
        if (!json.Contains("\\u0000", StringComparison.Ordinal) && !json.Contains("\\uFFFF", StringComparison.OrdinalIgnoreCase))
            return json;
        return Map(JsonNode.Parse(json), Store)?.ToJsonString(options) ?? "null";
    }

    /// <summary>The original of jsonb text (PostgreSQL writes U+FFFF as the character itself; an escaped one is read too).</summary>
    public static string ReadJsonb(string stored) =>
        stored.IndexOf(Escape) < 0 && !stored.Contains("\\uFFFF", StringComparison.OrdinalIgnoreCase)
            ? stored
            : Map(JsonNode.Parse(stored), Read)?.ToJsonString() ?? "null";

    private static JsonNode? Map(JsonNode? node, Func<string, string> map) => node switch
    {
        JsonObject o => new JsonObject(o.Select(p => KeyValuePair.Create(map(p.Key), Map(p.Value, map)))),
        JsonArray a => new JsonArray(a.Select(e => Map(e, map)).ToArray()),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => JsonValue.Create(map(v.GetValue<string>())),
        _ => node?.DeepClone(),
    };
}
