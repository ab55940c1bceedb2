using Echain.Core.Processing;
using Echain.Core.Subgraph.Schema;
using Echain.Functions.Shared.Http;
using GraphQL;
using GraphQL.Execution;
using GraphQL.SystemTextJson;

namespace Echain.Functions.Shared.Apis;

/// <summary>
/// A GraphQL result as GraphQL over HTTP answers it. With <c>Accept: application/graphql-response+json</c> the status says
/// whether the request ran (400 when it did not: unparsable, invalid, or not a GraphQL request); with
/// <c>application/json</c> (also no Accept, <c>*/*</c>, or anything else) every GraphQL request is 200, the errors in
/// the body, and only a body that is no GraphQL request is 400, as clients written before the new media type expect.
/// </summary>
public sealed class GraphQLAnswer(ExecutionResult result, int status, string contentType) : IResult
{
    public const string GraphQLResponseType = "application/graphql-response+json";
    public const string JsonType = "application/json";

    /// <summary>The one serializer for requests' variables and for answers; errors carry no exception names (<see cref="SubgraphExecutor.ErrorInfoProvider"/>).</summary>
    public static GraphQLSerializer Serializer { get; } = new(
        // Relaxed escaping, as problem+json: never embedded in HTML, and "'noSuchField'" reads better than "\u0027noSuchField\u0027".
        options => options.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SubgraphExecutor.ErrorInfoProvider);

    public int Status => status;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = status;
        httpContext.Response.ContentType = contentType + "; charset=utf-8";
        await Serializer.WriteAsync(httpContext.Response.Body, result, httpContext.RequestAborted);
    }

    /// <summary>
    /// The executor's result. A resolver that met a dependency outage answers what every route answers then (503 and
    /// Retry-After, by <see cref="ExceptionProblems"/>), not a 200 whose data is silently missing.
    /// </summary>
    public static IResult For(HttpContext http, ExecutionResult result, bool wantsGraphQLResponse, ILogger log)
    {
        // The executor leaves only outages unhandled (every other failure is already a fixed message, and logged).
        if (result.Errors?.OfType<UnhandledError>().FirstOrDefault(e => e.InnerException is { } cause && FailurePolicy.IsOutage(cause)) is { } outage)
            return Problems.From(ExceptionProblems.Answer(http, outage.InnerException!, log));
        // graphql-dotnet runs an operation the schema has no root type for ("mutation" here) to data: null; it is a request
        // error (no error with a path: no field ever ran), answered like one, without data.
        if (result is { Executed: true, Data: null, Errors: { Count: > 0 } errors } && errors.All(e => e.Path is null)) result.Executed = false;
        var status = wantsGraphQLResponse && !result.Executed ? StatusCodes.Status400BadRequest : StatusCodes.Status200OK;
        return new GraphQLAnswer(result, status, wantsGraphQLResponse ? GraphQLResponseType : JsonType);
    }

    /// <summary>A body or query string that is no GraphQL request: 400 under either media type, in GraphQL's error format.</summary>
    public static GraphQLAnswer NotAGraphQLRequest(string error, bool wantsGraphQLResponse) =>
        new(new ExecutionResult { Executed = false, Errors = [new ExecutionError(error) { Code = "INVALID_REQUEST" }] },
            StatusCodes.Status400BadRequest, wantsGraphQLResponse ? GraphQLResponseType : JsonType);

    /// <summary>
    /// Whether the client asked for <c>application/graphql-response+json</c> by name, at least as strongly as for
    /// <c>application/json</c>. Wildcards alone mean <c>application/json</c>: that is what older clients understand.
    /// </summary>
    public static bool WantsGraphQLResponse(HttpRequest request)
    {
        double graphql = 0, json = 0;
        foreach (var accepted in request.GetTypedHeaders().Accept)
        {
            var quality = accepted.Quality ?? 1;
            var type = accepted.MediaType.Value;
            if (string.Equals(type, GraphQLResponseType, StringComparison.OrdinalIgnoreCase)) graphql = Math.Max(graphql, quality);
            else if (string.Equals(type, JsonType, StringComparison.OrdinalIgnoreCase)) json = Math.Max(json, quality);
        }
        return graphql > 0 && graphql >= json;
    }
}
