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

    /// <summary>OpenAPI 3.1 schemas are JSON Schema 2020-12: the file is read as one, unchanged.</summary>
    private static OpenApiSchema Parse(string target, JsonObject schema, OpenApiDocument document)
    {
        var parsed = OpenApiModelFactory.Parse<OpenApiSchema>(schema.ToJsonString(), OpenApiSpecVersion.OpenApi3_1, document,
            out var diagnostic, OpenApiConstants.Json);
        if (parsed is null || diagnostic?.Errors.Count > 0)
            throw new InvalidDataException($"docs/realtime/{target}.schema.json is not a schema OpenAPI 3.1 can hold: "
                + string.Join("; ", diagnostic?.Errors.Select(e => e.Message) ?? []));
        parsed.Description ??= $"The argument of the SignalR target `{target}`.";
        return parsed;
    }
}
