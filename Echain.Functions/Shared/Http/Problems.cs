using Echain.Core;

namespace Echain.Functions.Shared.Http;

/// <summary>
/// Writes Core's <see cref="ApiProblem"/> as application/problem+json, byte-identical to what the
/// Functions payload-mode adapter returns for the same failure. Which statuses a route answers is declared on the
/// route (<see cref="OpenApi.ApiResponses.ProducesProblems"/>): the result alone cannot know.
/// </summary>
public sealed class ApiProblemResult(ApiProblem problem) : IResult
{
    public ApiProblem Problem => problem;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var body = problem.ToJson();
        httpContext.Response.StatusCode = problem.Status;
        httpContext.Response.ContentType = ApiProblem.ContentType;
        httpContext.Response.ContentLength = body.Length;
        if (problem.Extensions?.TryGetValue("allow", out var allow) == true) httpContext.Response.Headers.Allow = allow;
        if (problem.RetryAfter is { } retryAfter) httpContext.Response.Headers.RetryAfter = retryAfter;
        return httpContext.Response.Body.WriteAsync(body).AsTask();
    }
}

/// <summary>The problems the read and realtime endpoints answer with (Core's vocabulary, as results).</summary>
public static class Problems
{
    public static ApiProblemResult From(ApiProblem problem) => new(problem);

    public static ApiProblemResult BadRequest(string detail, string field) => new(ApiProblem.InvalidArgument(detail, field));

    public static ApiProblemResult BadEventId(string eventId) => new(ApiProblem.BadEventId(eventId));

    public static ApiProblemResult BadTokenId(string tokenId) => new(ApiProblem.BadTokenId(tokenId));

    public static ApiProblemResult NotFound(string detail) => new(ApiProblem.NotFound(detail));

    public static ApiProblemResult Unauthorized(string detail) => new(ApiProblem.InvalidToken(detail));
}
