using System.Reflection;
using Echain.Core;
using Microsoft.AspNetCore.Http.Metadata;

namespace Echain.Functions.Http;

/// <summary>
/// Writes Core's <see cref="ApiProblem"/> as application/problem+json, byte-identical to what the
/// Functions payload-mode adapter returns for the same failure.
/// </summary>
public sealed class ApiProblemResult(ApiProblem problem) : IResult, IEndpointMetadataProvider
{
    public ApiProblem Problem => problem;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var body = problem.ToJson();
        httpContext.Response.StatusCode = problem.Status;
        httpContext.Response.ContentType = ApiProblem.ContentType;
        httpContext.Response.ContentLength = body.Length;
        if (problem.Extensions?.TryGetValue("allow", out var allow) == true) httpContext.Response.Headers.Allow = allow;
        return httpContext.Response.Body.WriteAsync(body).AsTask();
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(object), [ApiProblem.ContentType]));
}

/// <summary>The problems the read and realtime endpoints answer with.</summary>
public static class Problems
{
    public static ApiProblemResult From(ApiProblem problem) => new(problem);

    public static ApiProblemResult BadRequest(string detail, string field) => new(new ApiProblem(
        StatusCodes.Status400BadRequest, ApiProblem.TypeBase + "invalid-argument", "Invalid argument.", detail,
        new Dictionary<string, string> { ["field"] = field }));

    public static ApiProblemResult BadEventId(string eventId) =>
        BadRequest($"'{eventId}' is not an event id (a uint256 in decimal or 0x hex).", "eventId");

    public static ApiProblemResult NotFound(string detail) => new(ApiProblem.NotFound(detail));

    public static ApiProblemResult Unauthorized(string detail) => new(new ApiProblem(
        StatusCodes.Status401Unauthorized, ApiProblem.TypeBase + "invalid-token", "Invalid token.", detail));
}
