using Echain.Core;
using Echain.Core.Realtime;
using Echain.Functions.Shared.Http;
using Echain.Functions.Shared.OpenApi;
using Echain.Functions.Shared.Realtime;
using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Echain.Functions.AzureFunctions;

/// <summary>
/// Negotiate, forwarded (POST /api/negotiate: one httpTrigger, one http output, no signalRConnectionInfo input). The
/// user id is decided exactly as standalone (<see cref="NegotiateGate.ResolveAsync"/>: no bearer is anonymous, a valid
/// token gives its subject, anything else is 401), then <see cref="SignalRServiceNegotiation"/> mints the SignalR
/// Service connection for it. <c>?events=</c> is checked as standalone checks it (the same 400 for a bad list) and
/// otherwise ignored: a serverless SignalR Service connection joins groups only through the group functions, so the
/// connection-proof has no <c>events</c> and the page joins over HTTP. An input binding would resolve before the handler runs, so it could only take the id
/// from something the client sends, and the host fails the request when that is absent.
/// </summary>
public static class NegotiateFunction
{
    public const string Name = "Negotiate";

    public static IEndpointRouteBuilder MapNegotiateFunction(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/negotiate", NegotiateAsync).AcceptsBearer(optional: true).ProducesProblems(400, 401).WithTags("Realtime")
            .ServesFrontend(FrontendRouteKind.Negotiate);
        return app;
    }

    public static async Task<Results<Ok<HubConnectionInfo>, ApiProblemResult>> NegotiateAsync(
        HttpRequest request, RealtimeTokens tokens, SignalRServiceNegotiation signalR, ILogger<SignalRServiceNegotiation> log,
        [FromQuery(Name = NegotiatedEvents.Query), Description(NegotiatedEvents.Description)] string? events, CancellationToken ct)
    {
        if (NegotiatedEvents.Parse(events, out _) is { } invalid) return Problems.From(invalid);
        var (problem, userId) = await NegotiateGate.ResolveAsync(request.Headers.Authorization.ToString(), tokens.ValidateNegotiatorAsync);
        if (problem is not null) return Problems.From(problem);
        try
        {
            return TypedResults.Ok(await signalR.NegotiateAsync(userId, ct));
        }
        catch (SignalRServiceUnavailableException e)
        {
            log.LogWarning(e, "Negotiate: no client token from SignalR Service, answered 503");
            return Problems.From(ApiProblem.ServiceUnavailable("SignalR Service could not issue a connection; retry after the time in Retry-After."));
        }
    }
}
