using System.Buffers;
using Echain.Core;
using Echain.Core.Subgraph;
using Echain.Core.Subgraph.Schema;
using Echain.Functions.Shared.Http;
using Echain.Functions.Shared.OpenApi;
using GraphQLParser;
using GraphQLParser.AST;
using GraphQLParser.Exceptions;
using Microsoft.Extensions.Options;

namespace Echain.Functions.Shared.Apis;

/// <summary>
/// The subgraph's GraphQL over HTTP (POST, and GET for queries), answered by <see cref="SubgraphExecutor"/>. The frontend
/// points its subgraph URL here. What is not a GraphQL request at all (the wrong method, media type or size) is Echain's
/// problem+json like every route; anything a GraphQL client sent is answered in GraphQL's own format
/// (<see cref="GraphQLAnswer"/>).
/// </summary>
public static class GraphQLApi
{
    public const string Route = "/api/graphql";

    public static IEndpointRouteBuilder MapGraphQLApi(this IEndpointRouteBuilder app)
    {
        var graphql = app.MapGroup(Route).WithTags("GraphQL").ServesFrontend(FrontendRouteKind.Read);
        graphql.MapPost("/", PostAsync)
            .WithSummary("Run a GraphQL query against the subgraph's schema")
            .WithDescription(PostDescription)
            .Accepts<GraphQLRequestBody>("application/json")
            .ProducesGraphQL()
            .ProducesProblems(400, 413, 415);
        graphql.MapGet("/", GetAsync)
            .WithSummary("Run a GraphQL query given in the query string")
            .WithDescription(GetDescription)
            .ProducesGraphQL()
            .ProducesProblems(400, 405, 414);
        return app;
    }

    private const string PostDescription =
        "GraphQL over HTTP with The Graph's schema and conventions (README \"GraphQL\"): the body is `{query, operationName?, " +
        "variables?, extensions?}` as `application/json`. `Accept: application/graphql-response+json` answers in that type, " +
        "with 400 for a request that did not run (not parsable or not valid); otherwise `application/json`, 200 for every " +
        "GraphQL request and 400 only for a body that is not one. Never cached (`Cache-Control: no-store`).";

    private const string GetDescription =
        "The same for queries only: `query`, `operationName`, and `variables` / `extensions` as JSON text. A mutation or " +
        "subscription over GET is 405 (`Allow: POST`).";

    public static async Task<IResult> PostAsync(HttpContext http, SubgraphExecutor executor, IOptions<SubgraphOptions> options, ILoggerFactory loggers)
    {
        http.Response.Headers.CacheControl = "no-store";
        var maxBytes = options.Value.MaxRequestBytes;
        var request = http.Request;
        if (!request.HasJsonContentType()) return Problems.From(ApiProblem.UnsupportedMediaType(request.ContentType));
        if (request.ContentLength > maxBytes) return Problems.From(ApiProblem.PayloadTooLarge(maxBytes));
        var body = await ReadBodyAsync(request, maxBytes, http.RequestAborted);
        if (body is null) return Problems.From(ApiProblem.PayloadTooLarge(maxBytes));
        var parsed = GraphQLRequestReader.FromBody(body.Value);
        return await AnswerAsync(http, parsed, executor, loggers);
    }

    public static async Task<IResult> GetAsync(HttpContext http, string? query, string? operationName, string? variables, string? extensions,
        SubgraphExecutor executor, IOptions<SubgraphOptions> options, ILoggerFactory loggers)
    {
        http.Response.Headers.CacheControl = "no-store";
        var maxBytes = options.Value.MaxRequestBytes;
        if (http.Request.QueryString.Value?.Length > maxBytes)
            return Problems.From(ApiProblem.UriTooLong(maxBytes) with { Detail = $"The query string exceeds {maxBytes} bytes." });
        var parsed = GraphQLRequestReader.FromQueryString(query, operationName, variables, extensions);
        switch (parsed.Request is { Query: { } text } ? OperationsOf(text, parsed.Request.OperationName) : GetOperations.Queries)
        {
            case GetOperations.NotOnlyQueries:
                return Problems.From(ApiProblem.MethodNotAllowed("GET", "POST") with
                {
                    Detail = "Only queries run over GET (it must not change anything); send mutations and subscriptions with POST.",
                });
            case GetOperations.TooDeep:
                return GraphQLAnswer.NotAGraphQLRequest("The query nests too deeply to be read.", GraphQLAnswer.WantsGraphQLResponse(http.Request));
        }
        return await AnswerAsync(http, parsed, executor, loggers);
    }

    private static async Task<IResult> AnswerAsync(HttpContext http, GraphQLRequestReader.Outcome parsed, SubgraphExecutor executor, ILoggerFactory loggers)
    {
        var wantsGraphQLResponse = GraphQLAnswer.WantsGraphQLResponse(http.Request);
        if (parsed.Request is not { } request) return GraphQLAnswer.NotAGraphQLRequest(parsed.Error!, wantsGraphQLResponse);
        var result = await executor.ExecuteAsync(request, http.RequestAborted);
        return GraphQLAnswer.For(http, result, wantsGraphQLResponse, loggers.CreateLogger(typeof(GraphQLApi).FullName!));
    }

    internal enum GetOperations { Queries, NotOnlyQueries, TooDeep }

    /// <summary>
    /// Whether the operation GET would run is a query: the one <paramref name="operationName"/> names or, without a
    /// match, every operation of the document (so no reading of the name can pick a mutation). A syntax error runs
    /// nothing (the executor's parser answers it the same way); a document too deep for the parser cannot be checked.
    /// </summary>
    internal static GetOperations OperationsOf(string query, string? operationName)
    {
        GraphQLDocument document;
        try
        {
            document = Parser.Parse(query, new ParserOptions { Ignore = IgnoreOptions.All });
        }
        catch (GraphQLSyntaxErrorException)
        {
            return GetOperations.Queries;
        }
        catch (GraphQLMaxDepthExceededException)
        {
            return GetOperations.TooDeep;
        }
        var operations = document.Definitions.OfType<GraphQLOperationDefinition>().ToList();
        var named = string.IsNullOrEmpty(operationName) ? [] : operations.Where(o => o.Name?.StringValue == operationName).ToList();
        return (named.Count > 0 ? named : operations).All(o => o.Operation == OperationType.Query) ? GetOperations.Queries : GetOperations.NotOnlyQueries;
    }

    /// <summary>
    /// The body, or null when it is over <paramref name="maxBytes"/> (<see cref="SubgraphOptions.MaxRequestBytes"/>; a chunked
    /// body has no Content-Length to check first). Refused before parsing, the parser's work stays bounded.
    /// </summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is > 0 and var n ? (int)n : 4096);
        while (true)
        {
            var read = await request.Body.ReadAsync(buffer.GetMemory(8192), ct);
            if (read == 0) return buffer.WrittenMemory;
            buffer.Advance(read);
            if (buffer.WrittenCount > maxBytes) return null;
        }
    }
}

/// <summary>
/// A GraphQL-over-HTTP request body for the API description (read by <see cref="GraphQLRequestReader"/>, never bound).
/// </summary>
[System.ComponentModel.Description("A GraphQL-over-HTTP request.")]
public sealed record GraphQLRequestBody(
    [property: System.ComponentModel.Description("The GraphQL document, e.g. `{ _meta { block { number } } }`.")] string Query,
    [property: System.ComponentModel.Description("Which operation of the document to run; needed only when it has several.")] string? OperationName = null,
    [property: System.ComponentModel.Description("Values of the operation's variables, by name.")] IReadOnlyDictionary<string, object?>? Variables = null,
    [property: System.ComponentModel.Description("Protocol extensions; none is interpreted.")] IReadOnlyDictionary<string, object?>? Extensions = null);
