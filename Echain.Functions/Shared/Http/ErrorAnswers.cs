using Echain.Core;
using Echain.Core.Processing;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;

namespace Echain.Functions.Shared.Http;

/// <summary>
/// The one place an exception no endpoint handled becomes an answer, on every route of both hosts: a dependency
/// that is down or busy (<see cref="FailurePolicy.Classify"/> says transient or conflict) is 503 with Retry-After,
/// so a client waits and retries; a request Kestrel or a binder could not read is its 4xx; anything else is 500.
/// The detail is always fixed text: exception messages (hosts, SQL, library versions) stay in the log.
/// </summary>
public sealed class ExceptionProblems(ILogger<ExceptionProblems> log) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        // The client left: nobody reads an answer.
        if (exception is OperationCanceledException && context.RequestAborted.IsCancellationRequested) return true;
        if (context.Response.HasStarted) return false;
        await new ApiProblemResult(Answer(context, exception, log)).ExecuteAsync(context);
        return true;
    }

    /// <summary>The problem for <paramref name="exception"/>, logged and counted: also how payload-mode HTTP functions answer (Outputs.res).</summary>
    public static ApiProblem Answer(HttpContext context, Exception exception, ILogger log)
    {
        var problem = ProblemFor(exception, context.Request);
        // The pattern, not the path: a bounded tag, and no ids or addresses in metrics.
        var route = new KeyValuePair<string, object?>("route", (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "none");
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            EchainMetrics.RequestsUnavailable.Add(1, route);
            log.LogWarning(exception, "{Method} {Path}: a dependency is unavailable, answered 503", context.Request.Method, context.Request.Path);
        }
        else if (problem.Status >= 500)
        {
            EchainMetrics.RequestsFailed.Add(1, route);
            log.LogError(exception, "{Method} {Path}: unhandled failure, answered 500", context.Request.Method, context.Request.Path);
        }
        return problem;
    }

    public static ApiProblem ProblemFor(Exception exception, HttpRequest? request = null) => exception switch
    {
        BadHttpRequestException bad => BadRequestProblems.For(bad, request),
        _ => FailurePolicy.IsOutage(exception)
            ? ApiProblem.ServiceUnavailable("A service this request needs is unavailable; retry after the time in Retry-After.")
            : ApiProblem.InternalError(),
    };
}

/// <summary>
/// Answers that left an endpoint or the framework without a body (an unknown route, a wrong method, an auth
/// challenge, a binder's 400) get Echain's problem+json for their status instead of an empty or HTML page.
/// </summary>
public static class StatusCodeProblems
{
    public static Task WriteAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var status = http.Response.StatusCode;
        var problem = status switch
        {
            StatusCodes.Status404NotFound => ApiProblem.NotFound("There is nothing at this path; see the API in README.md."),
            StatusCodes.Status405MethodNotAllowed => http.Response.Headers.Allow.ToString() is { Length: > 0 } allow
                ? ApiProblem.MethodNotAllowed(http.Request.Method, allow)
                : new ApiProblem(405, ApiProblem.TypeBase + "method-not-allowed", "Method not allowed.", $"{http.Request.Method} is not allowed here."),
            StatusCodes.Status401Unauthorized => ApiProblem.InvalidToken("A valid access token is required."),
            StatusCodes.Status403Forbidden => ApiProblem.Forbidden("This token may not do this."),
            StatusCodes.Status415UnsupportedMediaType => ApiProblem.UnsupportedMediaType(http.Request.ContentType),
            StatusCodes.Status413PayloadTooLarge => new ApiProblem(413, ApiProblem.TypeBase + "payload-too-large", "The request body is too large.",
                "The body exceeds this route's limit."),
            StatusCodes.Status400BadRequest => ApiProblem.InvalidRequest("The request could not be read (a parameter or the body is malformed)."),
            StatusCodes.Status503ServiceUnavailable => ApiProblem.ServiceUnavailable("The service is unavailable; retry after the time in Retry-After."),
            _ => ApiProblem.OfStatus(status, ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase + "." : "Error."),
        };
        return new ApiProblemResult(problem).ExecuteAsync(http);
    }
}
