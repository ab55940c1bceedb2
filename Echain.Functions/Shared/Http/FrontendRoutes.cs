using Echain.Functions.Shared.OpenApi;
using Microsoft.AspNetCore.Cors;

namespace Echain.Functions.Shared.Http;

/// <summary>What a browser app on another origin calls, by kind: the kind decides its CORS policy and rate limit.</summary>
public enum FrontendRouteKind
{
    /// <summary>Cached reads (events, wallets, tickets, analytics, GraphQL).</summary>
    Read,
    /// <summary>POST /api/negotiate.</summary>
    Negotiate,
    /// <summary>Sign-in (nonce, verify) and the dev token.</summary>
    SignIn,
    /// <summary>Event group changes and the realtime history routes.</summary>
    Realtime,
}

/// <summary>Endpoint metadata: this route serves the frontend as <see cref="Kind"/>. Routes without it (webhook, admin) never get CORS.</summary>
public sealed record FrontendRoute(FrontendRouteKind Kind);

public static class FrontendRoutes
{
    /// <summary>
    /// Marks a route (or a group) as one a frontend on an allowed origin calls: the <see cref="FrontendCors.Policy"/> CORS
    /// policy, the kind's rate limit (<see cref="RateLimits"/>), and so its 429 in the API description.
    /// </summary>
    public static TBuilder ServesFrontend<TBuilder>(this TBuilder builder, FrontendRouteKind kind) where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new FrontendRoute(kind), new EnableCorsAttribute(FrontendCors.Policy)).ProducesProblems(429);
}
