using System.Text.Json.Nodes;
using Echain.Functions.Shared.Realtime;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Echain.Functions.Shared.OpenApi;

/// <summary>
/// The realtime contract in the API document: each schema of <see cref="RealtimeMessageSchemas.All"/> (docs/realtime) as the
/// component <c>RealtimeMessage.{target}</c>. SignalR messages are no HTTP route, so they are schemas only, described by the tag.
/// </summary>
public sealed class RealtimeMessageComponents : IOpenApiDocumentTransformer
{
    public const string Prefix = "RealtimeMessage.";

    public const string HowToReceive =
        "Realtime messages are SignalR invocations, not HTTP answers: `POST /api/negotiate` (optionally with " +
        "`Authorization: Bearer <user token>`) returns `{url, accessToken}`; connect a SignalR client to it, then " +
        "`POST /api/realtime/groups/{eventId}` with the `connectionId` and the `proof` the hub sent to receive an event's " +
        "messages. Each target (e.g. `ticket-purchased`) has one argument, whose schema is the component " +
        "`RealtimeMessage.<target>` (the files in docs/realtime/). After a reconnect, " +
        "`GET /api/realtime/groups/{eventId}/messages?after=<seq>` returns what was missed.";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        if (RealtimeMessageSchemas.All.Count == 0) return Task.CompletedTask;
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        foreach (var (target, schema) in RealtimeMessageSchemas.All)
            document.Components.Schemas[Prefix + target] = Parse(target, schema, document);
        return Task.CompletedTask;
    }

    /// <summary>OpenAPI 3.1 schemas are JSON Schema 2020-12: the file is read as one, with its <c>$defs</c> inlined.</summary>
    private static OpenApiSchema Parse(string target, JsonObject schema, OpenApiDocument document)
    {
        var parsed = OpenApiModelFactory.Parse<OpenApiSchema>(Inlined(schema).ToJsonString(), OpenApiSpecVersion.OpenApi3_1, document,
            out var diagnostic, OpenApiConstants.Json);
        if (parsed is null || diagnostic?.Errors.Count > 0)
            throw new InvalidDataException($"docs/realtime/{target}.schema.json is not a schema OpenAPI 3.1 can hold: "
                + string.Join("; ", diagnostic?.Errors.Select(e => e.Message) ?? []));
        parsed.Description ??= $"The argument of the SignalR target `{target}`.";
        return parsed;
    }

    /// <summary>
    /// The schema with each <c>{"$ref": "#/$defs/x"}</c> replaced by <c>x</c> (its sibling keywords kept) and <c>$defs</c>
    /// dropped: as a component, OpenAPI.NET resolves such a ref against the document, not the schema, and would publish
    /// refs that point nowhere (<c>#/properties/…/$defs/x</c>).
    /// </summary>
    public static JsonObject Inlined(JsonObject schema)
    {
        var defs = schema["$defs"] as JsonObject;
        var copy = (JsonObject)Inline(schema, defs, depth: 0)!;
        copy.Remove("$defs");
        return copy;
    }

    private static JsonNode? Inline(JsonNode? node, JsonObject? defs, int depth)
    {
        if (depth > 32) throw new InvalidDataException("A realtime schema's $defs refer to each other in a cycle.");
        switch (node)
        {
            case JsonObject obj when obj["$ref"]?.GetValue<string>() is { } reference && reference.StartsWith("#/$defs/", StringComparison.Ordinal):
                var name = reference["#/$defs/".Length..];
                var resolved = (JsonObject)Inline(defs?[name] ?? throw new InvalidDataException($"{reference} is not defined."), defs, depth + 1)!;
                foreach (var (key, value) in obj.Where(p => p.Key != "$ref")) resolved[key] = Inline(value, defs, depth + 1);
                return resolved;
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (key, value) in obj) copy[key] = key == "$defs" ? value?.DeepClone() : Inline(value, defs, depth + 1);
                return copy;
            case JsonArray array:
                return new JsonArray(array.Select(item => Inline(item, defs, depth + 1)).ToArray());
            default:
                return node?.DeepClone();
        }
    }
}
