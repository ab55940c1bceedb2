using System.Net;
using System.Text.Json.Nodes;
using Echain.Functions.Shared.OpenApi;

namespace Echain.Tests.FunctionsHost;

/// <summary>
/// The API description under the Functions custom handler: the forwarded OpenApiDocument and ApiDocs functions reach the
/// app on their original paths (/api/openapi/v1.json, /api/docs/…), which answers the document and the reference.
/// </summary>
public sealed class FunctionsApiDocsTests(FunctionsTestHost functions) : IClassFixture<FunctionsTestHost>
{
    [Fact]
    public async Task The_handler_answers_the_3_1_document_and_the_reference_under_api()
    {
        using var response = await functions.Http.GetAsync(functions.Url(ApiDocs.ApiDocumentPath.TrimStart('/')));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var document = JsonNode.Parse(text)!.AsObject();
        Assert.StartsWith("3.1.", document["openapi"]!.GetValue<string>());
        var paths = document["paths"]!.AsObject();
        // The forwarded routes are described; the invocation routes of the host's protocol are not (they are no API).
        foreach (var path in new[] { "/api/events/{eventId}", "/api/health", "/api/admin/deliveries", "/api/realtime/me/messages", "/api/negotiate" })
            Assert.True(paths.ContainsKey(path), $"{path} is not in the Functions host's document");
        Assert.DoesNotContain(paths, p => !p.Key.StartsWith("/api/", StringComparison.Ordinal));
        // Negotiate is the handler's own route here (it mints the SignalR Service connection), described like standalone's.
        Assert.Equal("#/components/schemas/EchainProblem",
            paths["/api/negotiate"]!["post"]!["responses"]!["401"]!["content"]!["application/problem+json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Contains(ApiDocumentInfo.PayloadModeNote, document["info"]!["description"]!.GetValue<string>());

        using var page = await functions.Http.GetAsync(functions.Url("api/docs/"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("scalar.js", await page.Content.ReadAsStringAsync());
        using var script = await functions.Http.GetAsync(functions.Url("api/docs/scalar.js"));
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.True((await script.Content.ReadAsByteArrayAsync()).Length > 100_000, "scalar.js is the embedded bundle");
        // Anything else under the forwarded mount is the app's problem+json 404.
        using var missing = await functions.Http.GetAsync(functions.Url("api/docs/no/such/file"));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
    }
}
