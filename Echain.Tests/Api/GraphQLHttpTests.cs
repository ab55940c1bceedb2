using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Echain.Core.Subgraph;
using Echain.Functions.Shared.OpenApi;
using Echain.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Echain.Tests.Api;

/// <summary>
/// /api/graphql over real Kestrel, PostgreSQL and Redis: GraphQL over HTTP's methods, media types and status codes, the
/// size cap, GET running queries only, and every answer matching what the OpenAPI document says of it.
/// </summary>
public sealed class GraphQLHttpTests(EchainTestHost host) : IClassFixture<EchainTestHost>
{
    private const string GraphQLResponse = "application/graphql-response+json";
    private const string MetaQuery = "{ _meta { block { number } deployment hasIndexingErrors } }";
    private static readonly DateTimeOffset Start = new(2027, 5, 1, 19, 0, 0, TimeSpan.Zero);

    private sealed record Answer(HttpStatusCode Status, string? MediaType, string? CacheControl, string Text, HttpResponseMessage Response)
    {
        public JsonObject Json => JsonNode.Parse(Text)!.AsObject();
        public string FirstError => Json["errors"]![0]!["message"]!.GetValue<string>();
    }

    private async Task<Answer> PostAsync(string body, string? accept = null, string contentType = "application/json")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, host.Url("api/graphql"))
        {
            Content = new StringContent(body, Encoding.UTF8, contentType),
        };
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        return await SendAsync(request);
    }

    private async Task<Answer> GetAsync(string queryString, string? accept = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, host.Url("api/graphql?" + queryString));
        if (accept is not null) request.Headers.TryAddWithoutValidation("Accept", accept);
        return await SendAsync(request);
    }

    private async Task<Answer> SendAsync(HttpRequestMessage request)
    {
        var response = await host.Http.SendAsync(request);
        return new Answer(response.StatusCode, response.Content.Headers.ContentType?.MediaType, response.Headers.CacheControl?.ToString(),
            await response.Content.ReadAsStringAsync(), response);
    }

    private static string Body(string query, JsonObject? variables = null) =>
        new JsonObject { ["query"] = query, ["variables"] = variables }.ToJsonString();

    private Task<JsonObject> DocumentAsync() => new OpenApiDocumentTests(host).DocumentAsync(ApiDocs.DocumentPath);

    [Fact]
    public async Task Meta_over_POST_and_GET_is_the_projections_newest_block_never_cached()
    {
        var organizer = await host.Ledger.NewWalletAsync();
        var created = await host.Ledger.CreateEventAsync(organizer, "GraphQL night", "Read through the subgraph", Start, Start.AddHours(2), 10, 1_000_000);
        foreach (var delivery in created.Deliveries)
            Assert.Equal(HttpStatusCode.Accepted, (await host.Webhooks.SendAsync(delivery)).StatusCode);
        await host.DrainedAsync();
        var expected = await host.Services.GetRequiredService<ISubgraphReads>().MetaAsync(CancellationToken.None);
        Assert.True(expected.Block.Number > 0, "no block applied");
        var document = await DocumentAsync();

        var posted = await PostAsync(Body(MetaQuery));
        var got = await GetAsync("query=" + Uri.EscapeDataString(MetaQuery), accept: "*/*");
        foreach (var (answer, method) in new[] { (posted, "POST"), (got, "GET") })
        {
            Assert.True(answer.Status == HttpStatusCode.OK, $"{method}: {(int)answer.Status} {answer.Text}");
            Assert.Equal("application/json", answer.MediaType);
            Assert.Equal("no-store", answer.CacheControl);
            var meta = answer.Json["data"]!["_meta"]!;
            Assert.Equal(expected.Block.Number, meta["block"]!["number"]!.GetValue<long>());
            Assert.Equal(expected.Deployment, meta["deployment"]!.GetValue<string>());
            Assert.Equal(expected.HasIndexingErrors, meta["hasIndexingErrors"]!.GetValue<bool>());
            Assert.Null(answer.Json["errors"]);
            await DocumentedAnswers.AssertMatchesAsync(document, method, "/api/graphql", answer.Response);
        }
    }

    [Fact]
    public async Task Variables_and_the_operation_name_are_read_from_the_body_and_from_the_query_string()
    {
        const string query = "query Other { _meta { deployment } } query Meta($withDeployment: Boolean!) { _meta { deployment @include(if: $withDeployment) block { number } } }";
        var body = new JsonObject { ["query"] = query, ["operationName"] = "Meta", ["variables"] = new JsonObject { ["withDeployment"] = false } };
        var posted = await PostAsync(body.ToJsonString(), GraphQLResponse);
        var got = await GetAsync($"query={Uri.EscapeDataString(query)}&operationName=Meta&variables={Uri.EscapeDataString("""{"withDeployment":false}""")}", GraphQLResponse);
        foreach (var answer in new[] { posted, got })
        {
            Assert.True(answer.Status == HttpStatusCode.OK, answer.Text);
            Assert.Equal(GraphQLResponse, answer.MediaType);
            var meta = answer.Json["data"]!["_meta"]!.AsObject();
            Assert.False(meta.ContainsKey("deployment"), answer.Text);
            Assert.True(meta["block"]!["number"]!.GetValue<long>() >= 0);
        }
    }

    [Theory]
    [InlineData(GraphQLResponse, HttpStatusCode.BadRequest, GraphQLResponse)]
    [InlineData("application/graphql-response+json, application/json;q=0.9", HttpStatusCode.BadRequest, GraphQLResponse)]
    [InlineData("application/json", HttpStatusCode.OK, "application/json")]
    [InlineData("application/json, application/graphql-response+json;q=0.5", HttpStatusCode.OK, "application/json")]
    [InlineData("*/*", HttpStatusCode.OK, "application/json")]
    [InlineData(null, HttpStatusCode.OK, "application/json")]
    public async Task A_validation_error_is_400_only_for_the_new_media_type_and_never_has_data(string? accept, HttpStatusCode status, string mediaType)
    {
        var document = await DocumentAsync();
        foreach (var answer in new[] { await PostAsync(Body("{ noSuchField }"), accept), await GetAsync("query=" + Uri.EscapeDataString("{ noSuchField }"), accept) })
        {
            Assert.True(answer.Status == status, $"{accept}: {(int)answer.Status} {answer.Text}");
            Assert.Equal(mediaType, answer.MediaType);
            Assert.Contains("noSuchField", answer.FirstError);
            Assert.False(answer.Json.ContainsKey("data"), answer.Text);
            await DocumentedAnswers.AssertMatchesAsync(document, answer.Response.RequestMessage!.Method.Method, "/api/graphql", answer.Response);
        }
    }

    [Theory]
    [InlineData("{\"query\": ", "The body is not JSON")]
    [InlineData("[{\"query\": \"{ _meta { deployment } }\"}]", "must be a JSON object")]
    [InlineData("{\"variables\": {}}", "no query")]
    [InlineData("{\"query\": null}", "no query")]
    [InlineData("{\"query\": 42}", "query must be a string")]
    [InlineData("{\"query\": \"{ _meta { deployment } }\", \"variables\": [1]}", "variables must be a JSON object")]
    [InlineData("{\"query\": \"{ _meta { deployment } }\", \"operationName\": {}}", "operationName must be a string")]
    [InlineData("{\"query\": \"{ a }\", \"query\": \"{ b }\"}", "repeats a member")]
    public async Task A_body_that_is_no_GraphQL_request_is_400_under_either_media_type(string body, string error)
    {
        var document = await DocumentAsync();
        foreach (var accept in new[] { GraphQLResponse, "application/json" })
        {
            var answer = await PostAsync(body, accept);
            Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{body}: {(int)answer.Status} {answer.Text}");
            Assert.Equal(accept, answer.MediaType);
            Assert.Contains(error, answer.FirstError);
            Assert.Equal("INVALID_REQUEST", answer.Json["errors"]![0]!["extensions"]!["code"]!.GetValue<string>());
            Assert.False(answer.Json.ContainsKey("data"));
            await DocumentedAnswers.AssertMatchesAsync(document, "POST", "/api/graphql", answer.Response);
        }
    }

    [Fact]
    public async Task A_GET_without_a_query_or_with_variables_that_are_no_object_is_400()
    {
        Assert.Contains("no query", (await GetAsync("operationName=Meta")).FirstError);
        var variables = await GetAsync("query=" + Uri.EscapeDataString(MetaQuery) + "&variables=%5B1%5D", GraphQLResponse);
        Assert.Equal(HttpStatusCode.BadRequest, variables.Status);
        Assert.Contains("variables must be a JSON object", variables.FirstError);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/graphql")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task A_body_that_is_not_JSON_by_its_content_type_is_415_problem(string contentType)
    {
        var answer = await PostAsync(Body(MetaQuery), contentType: contentType);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, answer.Status);
        Assert.Equal("application/problem+json", answer.MediaType);
        Assert.Equal("https://echain.dev/problems/unsupported-media-type", answer.Json["type"]!.GetValue<string>());
        await DocumentedAnswers.AssertMatchesAsync(await DocumentAsync(), "POST", "/api/graphql", answer.Response);
    }

    [Fact]
    public async Task A_body_over_the_cap_is_413_problem_with_or_without_Content_Length()
    {
        var padding = new string(' ', new SubgraphOptions().MaxRequestBytes);
        var oversized = Body(MetaQuery + padding);
        var declared = await PostAsync(oversized);
        var chunkedRequest = new HttpRequestMessage(HttpMethod.Post, host.Url("api/graphql"))
        {
            Content = new StreamContent(new UnseekableStream(Encoding.UTF8.GetBytes(oversized))),
        };
        chunkedRequest.Content.Headers.ContentType = new("application/json");
        var chunked = await SendAsync(chunkedRequest);
        Assert.Null(chunkedRequest.Content.Headers.ContentLength);
        foreach (var answer in new[] { declared, chunked })
        {
            Assert.True(answer.Status == HttpStatusCode.RequestEntityTooLarge, $"{(int)answer.Status} {answer.Text}");
            Assert.Equal("https://echain.dev/problems/payload-too-large", answer.Json["type"]!.GetValue<string>());
            await DocumentedAnswers.AssertMatchesAsync(await DocumentAsync(), "POST", "/api/graphql", answer.Response);
        }
        // Just under the cap still runs.
        var fits = await PostAsync(Body(MetaQuery + new string(' ', new SubgraphOptions().MaxRequestBytes - 200)));
        Assert.True(fits.Status == HttpStatusCode.OK, fits.Text);
    }

    [Theory]
    [InlineData("mutation { createEvent }", null)]
    [InlineData("subscription { ticketPurchased }", null)]
    [InlineData("query Q { _meta { deployment } } mutation M { createEvent }", "M")]
    [InlineData("query Q { _meta { deployment } } mutation M { createEvent }", null)]
    [InlineData("query Q { _meta { deployment } } mutation M { createEvent }", "NoSuchOperation")]
    public async Task GET_never_runs_a_mutation_or_subscription_it_is_405_with_Allow_POST(string query, string? operationName)
    {
        var answer = await GetAsync("query=" + Uri.EscapeDataString(query) + (operationName is null ? "" : "&operationName=" + operationName));
        Assert.True(answer.Status == HttpStatusCode.MethodNotAllowed, $"{(int)answer.Status} {answer.Text}");
        Assert.Equal("application/problem+json", answer.MediaType);
        Assert.Equal("POST", string.Join(",", answer.Response.Content.Headers.Allow));
        await DocumentedAnswers.AssertMatchesAsync(await DocumentAsync(), "GET", "/api/graphql", answer.Response);
    }

    [Fact]
    public async Task A_GET_too_deep_to_check_runs_nothing_and_is_400_and_a_syntax_error_is_the_executors_answer()
    {
        var deep = string.Concat(Enumerable.Repeat("{ _meta ", 300)) + new string('}', 300);
        var tooDeep = await GetAsync("query=" + Uri.EscapeDataString(deep));
        Assert.True(tooDeep.Status == HttpStatusCode.BadRequest, $"{(int)tooDeep.Status} {tooDeep.Text}");
        Assert.Contains("too deeply", tooDeep.FirstError);
        var syntax = await GetAsync("query=" + Uri.EscapeDataString("{ _meta { "), GraphQLResponse);
        Assert.True(syntax.Status == HttpStatusCode.BadRequest, $"{(int)syntax.Status} {syntax.Text}");
        Assert.Equal("SYNTAX_ERROR", syntax.Json["errors"]![0]!["extensions"]!["code"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_mutation_over_POST_is_a_GraphQL_error_there_is_no_mutation_type()
    {
        var legacy = await PostAsync(Body("mutation { createEvent }"));
        Assert.True(legacy.Status == HttpStatusCode.OK, legacy.Text);
        Assert.NotEmpty(legacy.FirstError);
        Assert.False(legacy.Json.ContainsKey("data"), legacy.Text);
        var modern = await PostAsync(Body("mutation { createEvent }"), GraphQLResponse);
        Assert.Equal(HttpStatusCode.BadRequest, modern.Status);
        Assert.Equal(legacy.Text, modern.Text);
    }

    [Fact]
    public async Task Introspection_answers_over_both_methods_for_the_frontends_codegen()
    {
        const string query = "{ __schema { queryType { name } types { name } } }";
        foreach (var answer in new[] { await PostAsync(Body(query), GraphQLResponse), await GetAsync("query=" + Uri.EscapeDataString(query)) })
        {
            Assert.True(answer.Status == HttpStatusCode.OK, answer.Text);
            var schema = answer.Json["data"]!["__schema"]!;
            Assert.Equal("Query", schema["queryType"]!["name"]!.GetValue<string>());
            var types = schema["types"]!.AsArray().Select(t => t!["name"]!.GetValue<string>()).ToList();
            Assert.Contains("_Meta_", types);
            Assert.Contains("_Block_", types);
        }
    }

    [Fact]
    public async Task Another_method_is_405_naming_GET_and_POST()
    {
        var answer = await SendAsync(new HttpRequestMessage(HttpMethod.Put, host.Url("api/graphql")) { Content = new StringContent(Body(MetaQuery)) });
        Assert.Equal(HttpStatusCode.MethodNotAllowed, answer.Status);
        Assert.Equal("application/problem+json", answer.MediaType);
        Assert.Equal(new[] { "GET", "POST" }, answer.Response.Content.Headers.Allow.Order());
    }

    /// <summary>A body HttpClient cannot measure, so it is sent chunked (no Content-Length).</summary>
    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
