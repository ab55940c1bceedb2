using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Echain.Tests.Api;

/// <summary>
/// A real answer against what an OpenAPI 3.1 document says of its route and status: the content type is one the
/// document names, and the body validates against that content's schema (JSON Schema 2020-12, with the document's
/// components as <c>$defs</c>, so every <c>$ref</c> resolves inside one schema).
/// </summary>
public static class DocumentedAnswers
{
    public static async Task AssertMatchesAsync(JsonObject document, string method, string path, HttpResponseMessage response)
    {
        var status = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var operation = document["paths"]?[path]?[method.ToLowerInvariant()]
                        ?? throw new Xunit.Sdk.XunitException($"{method} {path} is not in the document");
        var documented = operation["responses"]?[status]
                         ?? throw new Xunit.Sdk.XunitException($"{method} {path}: status {status} is not documented");
        var mediaType = response.Content.Headers.ContentType?.MediaType
                        ?? throw new Xunit.Sdk.XunitException($"{method} {path} {status}: no Content-Type");
        var content = documented["content"]?.AsObject() ?? throw new Xunit.Sdk.XunitException($"{method} {path} {status}: no content documented");
        Assert.True(content.ContainsKey(mediaType), $"{method} {path} {status}: answered {mediaType}, the document names {string.Join(", ", content.Select(c => c.Key))}");

        var body = await response.Content.ReadAsStringAsync();
        var results = SchemaOf(document, content[mediaType]!["schema"]!)
            .Evaluate(JsonDocument.Parse(body).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(results.IsValid, $"{method} {path} {status}: {body}\ndoes not match the documented schema:\n" + Errors(results));
    }

    /// <summary>The content's schema with every component beside it; OpenAPI's refs rewritten to point there.</summary>
    public static JsonSchema SchemaOf(JsonObject document, JsonNode schema)
    {
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$defs"] = document["components"]?["schemas"]?.DeepClone() ?? new JsonObject(),
            ["allOf"] = new JsonArray(schema.DeepClone()),
        };
        var text = root.ToJsonString().Replace("\"#/components/schemas/", "\"#/$defs/", StringComparison.Ordinal);
        // A fresh registry: each schema is built alone, with no identifiers shared between tests.
        return JsonSchema.FromText(text, new BuildOptions { SchemaRegistry = new SchemaRegistry() });
    }

    private static string Errors(EvaluationResults results) =>
        string.Join("\n", (results.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .Select(d => $"{d.InstanceLocation} ({d.EvaluationPath}): {string.Join("; ", d.Errors!.Select(e => $"{e.Key}: {e.Value}"))}"));
}
