using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.Subgraph;

/// <summary>POST /api/graphql as a frontend's GraphQL client sends it (JSON body, the GraphQL response media type).</summary>
internal static class GraphQLRequests
{
    public const string ResponseMediaType = "application/graphql-response+json";

    public static async Task<HttpResponseMessage> PostGraphQLAsync(this EchainTestHost host, string query, object? variables = null,
        string? operationName = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, host.Url("api/graphql"))
        {
            Content = JsonContent.Create(new { query, operationName, variables }),
        };
        request.Headers.Accept.ParseAdd(ResponseMediaType);
        return await host.Http.SendAsync(request);
    }

    /// <summary>The answer's data; fails (showing the body) on any status but 200 or any error.</summary>
    public static async Task<JsonElement> QueryAsync(this EchainTestHost host, string query, object? variables = null,
        string? operationName = null)
    {
        using var response = await host.PostGraphQLAsync(query, variables, operationName);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body.GetRawText()}");
        Assert.False(body.TryGetProperty("errors", out var errors), errors.ValueKind == JsonValueKind.Undefined ? "" : errors.GetRawText());
        return body.GetProperty("data");
    }

    /// <summary>The answer's error messages (the status is the caller's to check).</summary>
    public static async Task<(HttpStatusCode Status, string[] Messages, JsonElement Body)> ErrorsAsync(this EchainTestHost host, string query,
        object? variables = null)
    {
        using var response = await host.PostGraphQLAsync(query, variables);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.TryGetProperty("errors", out var errors), body.GetRawText());
        return (response.StatusCode, [.. errors.EnumerateArray().Select(e => e.GetProperty("message").GetString()!)], body);
    }
}
