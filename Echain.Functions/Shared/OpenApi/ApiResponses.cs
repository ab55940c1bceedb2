using System.ComponentModel;
using Echain.Core;

namespace Echain.Functions.Shared.OpenApi;

/// <summary>
/// What a route answers, as endpoint metadata the OpenAPI generator reads. Declared beside each <c>MapXxxApi</c>, because
/// the custom results (<c>CachedJsonResult</c> bytes, <c>ApiProblemResult</c>) cannot say which shape or status they carry.
/// </summary>
public static class ApiResponses
{
    /// <summary>Each status as <c>application/problem+json</c> with Echain's problem members.</summary>
    public static TBuilder ProducesProblems<TBuilder>(this TBuilder builder, params int[] statuses) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(statuses.Select(s => (object)new ProducesResponseTypeMetadata(s, typeof(EchainProblem), [ApiProblem.ContentType])).ToArray());

    /// <summary>A cached read: 200 with <typeparamref name="T"/> and its ETag, or 304 when If-None-Match names it.</summary>
    public static RouteHandlerBuilder ProducesRead<T>(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(
            new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json"]),
            new ProducesResponseTypeMetadata(StatusCodes.Status304NotModified, typeof(void)),
            ConditionalRead.Instance);

    /// <summary>Only with <c>X-Echain-Admin-Key</c> (the <c>adminKey</c> security scheme).</summary>
    public static TBuilder RequiresAdminKey<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredCredential(Credential.AdminKey, Optional: false));

    /// <summary><c>Authorization: Bearer</c> with a user token; <paramref name="optional"/>: without one the caller is anonymous.</summary>
    public static TBuilder AcceptsBearer<TBuilder>(this TBuilder builder, bool optional) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredCredential(Credential.Bearer, optional));
}

/// <summary>Marks a read that answers ETag and honours If-None-Match.</summary>
public sealed class ConditionalRead
{
    public static readonly ConditionalRead Instance = new();
}

public enum Credential
{
    AdminKey,
    Bearer,
}

/// <summary>The credential a route reads; the document names its security scheme.</summary>
public sealed record RequiredCredential(Credential Credential, bool Optional);

/// <summary>The problem+json body every Echain error has (<see cref="ApiProblem.WriteTo"/>); only the schema, never built.</summary>
[Description("RFC 7807 problem details, byte-identical on both hosts. `type` is one of the URIs listed in the document's description.")]
public sealed record EchainProblem(
    [property: Description("https://echain.dev/problems/<type>: what went wrong, for code to branch on.")] string Type,
    [property: Description("A short, fixed summary of the type.")] string Title,
    [property: Description("The HTTP status, repeated.")] int Status,
    [property: Description("What exactly was wrong, in fixed words (never an exception's text).")] string? Detail = null,
    [property: Description("The argument, header or payload member at fault (400 invalid-argument, invalid-payload, sign-in-rejected).")] string? Field = null,
    [property: Description("405 only: the methods the route serves (also the Allow header).")] string? Allow = null);
