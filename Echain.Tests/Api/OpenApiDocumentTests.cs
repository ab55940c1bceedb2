using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Echain.Functions.Shared.OpenApi;
using Echain.Functions.Shared.Realtime;
using Echain.Tests.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Echain.Tests.Api;

/// <summary>
/// The OpenAPI 3.1 document against the running standalone app: every endpoint it maps is described with its methods,
/// and real answers (reads after a projected event, problems, health, the webhook) match the schema and content type
/// the document gives for their route and status.
/// </summary>
public sealed class OpenApiDocumentTests(EchainTestHost host) : IClassFixture<EchainTestHost>
{
    /// <summary>Endpoints left out of the document on purpose, by route pattern, and why.</summary>
    public static readonly IReadOnlyDictionary<string, string> Undescribed = new Dictionary<string, string>
    {
        ["/"] = "the browser page (HTML)",
        ["/events/{eventId}"] = "the browser page (HTML)",
        ["/wallets/{address}"] = "the browser page (HTML)",
        ["/admin"] = "the operator page (HTML; its data is GET /api/admin/metrics)",
        ["/api/web/{*path}"] = "the browser page under the Functions mount (HTML and its files)",
        ["/hubs/echain"] = "the SignalR hub: a transport, described by the realtime tag and the RealtimeMessage.* schemas",
        ["/hubs/echain/negotiate"] = "the SignalR hub's own negotiate, which the client follows from POST /api/negotiate",
        ["/openapi/{documentName}.json"] = "the document itself",
        ["/metrics"] = "Prometheus' scrape endpoint: its text exposition format, listed in the README's \"Operating Echain\"",
        ["/api/openapi/{documentName}.json"] = "the document itself",
    };

    [Fact]
    public async Task Every_mapped_route_is_in_the_3_1_document_with_each_of_its_methods()
    {
        var document = await DocumentAsync(ApiDocs.DocumentPath);
        Assert.StartsWith("3.1.", document["openapi"]!.GetValue<string>());
        var paths = document["paths"]!.AsObject();

        var endpoints = host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToArray();
        var described = 0;
        foreach (var endpoint in endpoints)
        {
            var pattern = endpoint.RoutePattern.RawText!;
            if (Undescribed.ContainsKey(pattern) || pattern.StartsWith(ApiDocs.UiPath, StringComparison.Ordinal)) continue;
            var path = paths[DocumentPath(pattern)]?.AsObject();
            var methods = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? [];
            Assert.True(path is not null, $"{string.Join(",", methods)} {pattern} is not in the document");
            // The webhook also answers every other method (with a 405 problem): its POST is what is described.
            foreach (var method in methods.Count == 0 ? ["POST"] : methods)
                Assert.True(path.ContainsKey(method.ToLowerInvariant()), $"{method} {pattern}: the document has only {string.Join(", ", path.Select(p => p.Key))}");
            described++;
        }
        Assert.True(described >= 20, $"only {described} endpoints described");
        foreach (var pattern in Undescribed.Keys.Where(p => p != "/hubs/echain/negotiate"))
            Assert.Contains(endpoints, e => e.RoutePattern.RawText == pattern);

        // Each operation names its success answer, and every error it documents is Echain's problem+json (health's 503 is its report).
        foreach (var (path, item) in paths)
            foreach (var (method, operation) in item!.AsObject().Where(o => o.Key != "parameters"))
            {
                var responses = operation!["responses"]!.AsObject();
                Assert.True(responses.Any(r => r.Key.StartsWith('2')), $"{method} {path}: no 2xx response");
                foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5' && !(path == "/api/health" && r.Key == "503")))
                    Assert.True(response!["content"]?["application/problem+json"]?["schema"]?["$ref"]?.GetValue<string>() == "#/components/schemas/EchainProblem",
                        $"{method} {path} {status}: not the EchainProblem problem+json");
            }

        // The same document under /api, where the Functions host forwards it too.
        var underApi = await DocumentAsync(ApiDocs.ApiDocumentPath);
        Assert.Equal(document.ToJsonString(), underApi.ToJsonString());
    }

    [Fact]
    public async Task Each_realtime_message_schema_is_a_component_and_the_realtime_tag_says_how_to_receive_them()
    {
        var document = await DocumentAsync(ApiDocs.DocumentPath);
        var schemas = document["components"]!["schemas"]!.AsObject();
        foreach (var (target, schema) in RealtimeMessageSchemas.All)
        {
            var component = schemas[RealtimeMessageComponents.Prefix + target]?.AsObject();
            Assert.True(component is not null, $"no component {RealtimeMessageComponents.Prefix}{target}");
            // (Its $defs are inlined: as a component, a schema-relative ref would point nowhere.)
            foreach (var (keyword, value) in RealtimeMessageComponents.Inlined(schema))
                Assert.True(JsonNode.DeepEquals(Normalized(value), Normalized(component[keyword])),
                    $"{target}.{keyword}: {value?.ToJsonString()} became {component[keyword]?.ToJsonString()}");
        }
        Assert.Equal(RealtimeMessageSchemas.All.Count, schemas.Count(s => s.Key.StartsWith(RealtimeMessageComponents.Prefix, StringComparison.Ordinal)));
        // Every $ref anywhere in the document points at something in it (a published ref into nothing breaks every generator).
        var references = new List<string>();
        CollectReferences(document, references);
        Assert.NotEmpty(references);
        foreach (var reference in references)
            Assert.True(reference.StartsWith("#/", StringComparison.Ordinal) && Resolve(document, reference) is not null, $"$ref {reference} resolves to nothing");
        var tag = document["tags"]!.AsArray().Single(t => t!["name"]!.GetValue<string>() == ApiDocumentInfo.RealtimeTag);
        Assert.Contains("/api/negotiate", tag!["description"]!.GetValue<string>());
    }

    [Fact]
    public async Task Every_example_in_the_document_matches_its_own_schema()
    {
        var document = await DocumentAsync(ApiDocs.DocumentPath);
        var checkedExamples = 0;
        foreach (var (path, item) in document["paths"]!.AsObject())
            foreach (var (method, operation) in item!.AsObject().Where(o => o.Key != "parameters"))
            {
                var contents = operation!["responses"]!.AsObject().Select(r => (Where: r.Key, Content: r.Value!["content"]))
                    .Append((Where: "request", Content: operation["requestBody"]?["content"]));
                foreach (var (where, content) in contents)
                    foreach (var (mediaType, media) in content?.AsObject() ?? [])
                        if (media!["example"] is { } example)
                        {
                            var results = DocumentedAnswers.SchemaOf(document, media["schema"]!)
                                .Evaluate(JsonDocument.Parse(example.ToJsonString()).RootElement);
                            Assert.True(results.IsValid, $"{method} {path} {where} {mediaType}: the example does not match its schema");
                            checkedExamples++;
                        }
            }
        // The webhook body and answers, and the event read with its 400 and 404, at least.
        Assert.True(checkedExamples >= 6, $"only {checkedExamples} examples");
    }

    private static void CollectReferences(JsonNode? node, List<string> references)
    {
        if (node is JsonObject obj)
            foreach (var (key, value) in obj)
                if (key == "$ref" && value is JsonValue v && v.TryGetValue<string>(out var reference)) references.Add(reference);
                else CollectReferences(value, references);
        else if (node is JsonArray array)
            foreach (var item in array) CollectReferences(item, references);
    }

    /// <summary>The node a local JSON Pointer ref (<c>#/a/b</c>, with ~1 and ~0 escapes) names, or null.</summary>
    private static JsonNode? Resolve(JsonNode root, string reference)
    {
        JsonNode? node = root;
        foreach (var part in reference[2..].Split('/').Select(p => Uri.UnescapeDataString(p).Replace("~1", "/").Replace("~0", "~")))
            node = node switch
            {
                JsonObject obj => obj[part],
                JsonArray array when int.TryParse(part, out var i) && i >= 0 && i < array.Count => array[i],
                _ => null,
            };
        return node;
    }

    /// <summary>The schema with the keywords whose arrays are sets (<c>type</c>, <c>required</c>) sorted: order is no difference.</summary>
    private static JsonNode? Normalized(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                var copy = new JsonObject();
                foreach (var (key, value) in obj)
                    copy[key] = key is "type" or "required" && value is JsonArray set
                        ? new JsonArray(set.Select(v => v!.GetValue<string>()).Order(StringComparer.Ordinal).Select(v => (JsonNode?)v).ToArray())
                        : Normalized(value);
                return copy;
            case JsonArray array:
                return new JsonArray(array.Select(Normalized).ToArray());
            default:
                return node?.DeepClone();
        }
    }

    internal async Task<JsonObject> DocumentAsync(string path)
    {
        using var response = await host.Http.GetAsync(host.Url(path.TrimStart('/')));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(text)!.AsObject();
    }

    /// <summary>A route pattern as the document's path key: no trailing slash, no constraints or catch-all stars.</summary>
    private static string DocumentPath(string pattern)
    {
        var path = "/" + pattern.Trim('/');
        return path.Replace("{*", "{", StringComparison.Ordinal);
    }
}

/// <summary>Real answers of the standalone app against the schema and content type its document gives for them.</summary>
public sealed class OpenApiAnswerTests(EchainTestHost host) : IClassFixture<EchainTestHost>
{
    private static readonly DateTimeOffset Start = new(2027, 3, 1, 19, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Reads_problems_health_admin_and_the_webhook_answer_what_the_document_says()
    {
        var document = await new OpenApiDocumentTests(host).DocumentAsync(ApiDocs.DocumentPath);
        var organizer = await host.Ledger.NewWalletAsync();
        var created = await host.Ledger.CreateEventAsync(organizer, "Schema night", "Checked against the document", Start, Start.AddHours(2), 50, 10_000_000);
        foreach (var delivery in created.Deliveries)
        {
            using var accepted = await host.Webhooks.SendAsync(delivery);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            await DocumentedAnswers.AssertMatchesAsync(document, "POST", "/api/webhooks/coinbase", accepted);
        }
        await host.DrainedAsync();
        var eventId = created.EventId.ToString();

        var checks = new (string Path, string Template, HttpStatusCode Status)[]
        {
            ($"api/events/{eventId}", "/api/events/{eventId}", HttpStatusCode.OK),
            ($"api/events/{eventId}/tickets", "/api/events/{eventId}/tickets", HttpStatusCode.OK),
            ("api/events?limit=5", "/api/events", HttpStatusCode.OK),
            ($"api/users/{organizer.Address}/transactions", "/api/users/{address}/transactions", HttpStatusCode.OK),
            ("api/events/424242", "/api/events/{eventId}", HttpStatusCode.NotFound),
            ("api/events/not-an-id", "/api/events/{eventId}", HttpStatusCode.BadRequest),
            ("api/users/0x12/balances", "/api/users/{address}/balances", HttpStatusCode.BadRequest),
            ("api/health", "/api/health", HttpStatusCode.OK),
            ("api/admin/dead-letters", "/api/admin/dead-letters", HttpStatusCode.Unauthorized),
        };
        foreach (var (path, template, status) in checks)
        {
            using var response = await host.GetAsync(path);
            Assert.True(response.StatusCode == status, $"{path}: {(int)response.StatusCode}, expected {(int)status}");
            await DocumentedAnswers.AssertMatchesAsync(document, "GET", template, response);
        }

        // The 400 carries the argument at fault, which the schema documents as `field`.
        using var bad = await host.GetAsync("api/events/not-an-id");
        var problem = JsonNode.Parse(await bad.Content.ReadAsStringAsync())!;
        Assert.Equal("eventId", problem["field"]!.GetValue<string>());
        Assert.True(document["components"]!["schemas"]!["EchainProblem"]!["properties"]!.AsObject().ContainsKey("field"));

        // A read documented with ETag answers one, and If-None-Match gets the documented 304.
        using var read = await host.GetAsync($"api/events/{eventId}");
        var etag = read.Headers.ETag!.Tag;
        Assert.NotNull(document["paths"]!["/api/events/{eventId}"]!["get"]!["responses"]!["200"]!["headers"]!["ETag"]);
        using var notModified = await host.GetAsync($"api/events/{eventId}", etag);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.NotNull(document["paths"]!["/api/events/{eventId}"]!["get"]!["responses"]!["304"]);
    }

    [Fact]
    public async Task The_schemas_are_not_vacuous_a_wrong_body_fails_them()
    {
        var document = await new OpenApiDocumentTests(host).DocumentAsync(ApiDocs.DocumentPath);
        var eventSchema = document["paths"]!["/api/events/{eventId}"]!["get"]!["responses"]!["200"]!["content"]!["application/json"]!["schema"]!;
        var problemSchema = document["paths"]!["/api/events/{eventId}"]!["get"]!["responses"]!["404"]!["content"]!["application/problem+json"]!["schema"]!;
        Assert.False(DocumentedAnswers.SchemaOf(document, eventSchema).Evaluate(JsonDocument.Parse("""{"eventId":1,"ticketsSold":"x"}""").RootElement).IsValid);
        Assert.False(DocumentedAnswers.SchemaOf(document, problemSchema).Evaluate(JsonDocument.Parse("""{"detail":"no type, title or status"}""").RootElement).IsValid);
    }
}
