using System.Text.Json.Nodes;
using Echain.Core.Subgraph;
using Echain.Functions.Shared.Apis;
using Echain.Functions.Shared.Http;
using GraphQL;
using GraphQL.Execution;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Echain.Tests.Api;

/// <summary>
/// How a result with a failed resolver is answered (a unit test of <see cref="GraphQLAnswer"/>: the failures are made
/// here, the HTTP behaviour of the route is <see cref="GraphQLHttpTests"/>).
/// </summary>
public sealed class GraphQLAnswerTests
{
    private static ExecutionResult Failed(Exception inner) => new()
    {
        Executed = true,
        Data = null,
        Errors = [new UnhandledError("Error trying to resolve field '_meta'.", inner) { Path = ["_meta"] }],
    };

    private static async Task<(int Status, string? ContentType, string Body)> RunAsync(IResult result)
    {
        var http = new DefaultHttpContext();
        var body = new MemoryStream();
        http.Response.Body = body;
        await result.ExecuteAsync(http);
        return (http.Response.StatusCode, http.Response.ContentType, System.Text.Encoding.UTF8.GetString(body.ToArray()));
    }

    [Fact]
    public void A_resolver_that_met_a_database_outage_is_503_with_Retry_After_like_every_read()
    {
        var answer = GraphQLAnswer.For(new DefaultHttpContext(), Failed(new NpgsqlException("Failed to connect to 10.0.0.5:5432")), false, NullLogger.Instance);
        var problem = Assert.IsType<ApiProblemResult>(answer).Problem;
        Assert.Equal(503, problem.Status);
        Assert.Equal("5", problem.RetryAfter);
        Assert.DoesNotContain("10.0.0.5", problem.Detail);
    }

    [Fact]
    public async Task A_resolver_bug_is_a_GraphQL_error_with_a_fixed_code_and_no_exception_text_or_type()
    {
        var (status, contentType, body) = await RunAsync(GraphQLAnswer.For(new DefaultHttpContext(),
            Failed(new InvalidOperationException("Sequence contains no elements at SubgraphReads.cs:42")), true, NullLogger.Instance));
        Assert.Equal(200, status);
        Assert.Equal("application/graphql-response+json; charset=utf-8", contentType);
        var error = JsonNode.Parse(body)!["errors"]![0]!;
        Assert.Equal("Error trying to resolve field '_meta'.", error["message"]!.GetValue<string>());
        Assert.Equal("INTERNAL_SERVER_ERROR", error["extensions"]!["code"]!.GetValue<string>());
        Assert.Null(error["extensions"]!["codes"]);
        Assert.DoesNotContain("Sequence contains", body);
        Assert.DoesNotContain("INVALID_OPERATION", body);
    }

    [Fact]
    public async Task An_argument_the_reads_refuse_keeps_its_own_message_and_is_not_an_outage()
    {
        var (status, _, body) = await RunAsync(GraphQLAnswer.For(new DefaultHttpContext(),
            Failed(new SubgraphQueryException("first must be at most 1000.")), false, NullLogger.Instance));
        Assert.Equal(200, status);
        Assert.Contains("Error trying to resolve field '_meta'.", body);
        Assert.DoesNotContain("INTERNAL_SERVER_ERROR", body);
    }
}
