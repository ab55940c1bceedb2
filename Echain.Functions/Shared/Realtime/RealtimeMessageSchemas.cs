using System.Text.Json.Nodes;

namespace Echain.Functions.Shared.Realtime;

/// <summary>
/// The realtime contract as data: one JSON Schema (2020-12) per SignalR target, kept in <c>docs/realtime/</c>
/// as <c>{target}.schema.json</c> and embedded here, so the repository, the API document and the tests read
/// the same files.
/// </summary>
public static class RealtimeMessageSchemas
{
    private const string Prefix = "realtime-schemas/";
    private const string Suffix = ".schema.json";

    /// <summary>Target (e.g. <c>ticket-purchased</c>) → its payload's schema, in target order.</summary>
    public static IReadOnlyDictionary<string, JsonObject> All { get; } = Load();

    private static SortedDictionary<string, JsonObject> Load()
    {
        var assembly = typeof(RealtimeMessageSchemas).Assembly;
        var schemas = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames())
        {
            if (!name.StartsWith(Prefix, StringComparison.Ordinal) || !name.EndsWith(Suffix, StringComparison.Ordinal)) continue;
            using var stream = assembly.GetManifestResourceStream(name)!;
            var schema = JsonNode.Parse(stream)?.AsObject()
                ?? throw new InvalidDataException($"{name} is not a JSON object.");
            schemas.Add(name[Prefix.Length..^Suffix.Length], schema);
        }
        return schemas;
    }
}
