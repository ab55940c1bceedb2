using Echain.Core.Realtime;
using Echain.Functions.Shared.Http;
using Echain.Functions.Shared.OpenApi;
using Echain.Functions.Shared.Realtime;
using Echain.Functions.Standalone.Realtime;
using System.ComponentModel;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.SignalR;

namespace Echain.Functions.Standalone.Apis;

/// <summary>Negotiate and group membership, shaped exactly like the SignalR Service functions.</summary>
public static class RealtimeApi
{
    public static IEndpointRouteBuilder MapRealtimeApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/negotiate", NegotiateAsync).AcceptsBearer(optional: true).ProducesProblems(400, 401).WithTags("Realtime")
            .ServesFrontend(FrontendRouteKind.Negotiate);
        app.MapPost("/api/realtime/groups/{eventId}", JoinEventGroupAsync).ProducesProblems(400, 403, 404, 415).WithTags("Realtime")
            .ServesFrontend(FrontendRouteKind.Realtime);
        app.MapDelete("/api/realtime/groups/{eventId}", LeaveEventGroupAsync).ProducesProblems(400, 403, 415).WithTags("Realtime")
            .ServesFrontend(FrontendRouteKind.Realtime);
        return app;
    }

    /// <summary>
    /// {url, accessToken}: the SignalR client follows it like SignalR Service's negotiate redirect.
    /// The userId comes only from a verified token (<see cref="NegotiateGate"/>); without one the connection is anonymous.
    /// The events named here ride on the hub URL, and the hub joins them before it sends the connection its proof.
    /// </summary>
    public static async Task<Results<Ok<HubConnectionInfo>, ApiProblemResult>> NegotiateAsync(
        HttpRequest request, RealtimeTokens tokens, [FromQuery(Name = NegotiatedEvents.Query), Description(NegotiatedEvents.Description)] string? events)
    {
        if (NegotiatedEvents.Parse(events, out var eventIds) is { } invalid) return Problems.From(invalid);
        var (problem, userId) = await NegotiateGate.ResolveAsync(request.Headers.Authorization.ToString(), tokens.ValidateNegotiatorAsync);
        if (problem is not null) return Problems.From(problem);
        var hubUrl = $"{request.Scheme}://{request.Host}{request.PathBase}{EchainHub.Path}";
        if (eventIds.Count > 0) hubUrl += $"?{NegotiatedEvents.Query}={NegotiatedEvents.Format(eventIds)}";
        return TypedResults.Ok(new HubConnectionInfo(hubUrl, tokens.CreateConnectionToken(userId)));
    }

    public static Task<Results<NoContent, ApiProblemResult>> JoinEventGroupAsync(
        string eventId, [FromBody] GroupMembership body, IHubContext<EchainHub> hub, HubConnections connections,
        ConnectionProof proofs, CancellationToken ct) =>
        ChangeGroupAsync(eventId, body, proofs, async (connection, group) =>
        {
            // Right after start() the hub may not have registered the connection yet (see HubConnections).
            // Alone, an unknown connection is the caller's error; with the backplane another instance may own it.
            var known = await connections.WaitUntilConnectedAsync(connection, connections.JoinWait, ct);
            if (!known && !connections.MayBeElsewhere)
                return Problems.NotFound($"Connection '{connection}' is not connected to this hub; connect first, then join.");
            await hub.Groups.AddToGroupAsync(connection, group, ct);
            return null;
        });

    public static Task<Results<NoContent, ApiProblemResult>> LeaveEventGroupAsync(
        string eventId, [FromBody] GroupMembership body, IHubContext<EchainHub> hub, ConnectionProof proofs,
        CancellationToken ct) =>
        ChangeGroupAsync(eventId, body, proofs, async (connection, group) =>
        {
            await hub.Groups.RemoveFromGroupAsync(connection, group, ct);
            return null;
        });

    /// <param name="change">does the group change; returns a problem instead when it cannot.</param>
    private static async Task<Results<NoContent, ApiProblemResult>> ChangeGroupAsync(
        string eventId, GroupMembership body, ConnectionProof proofs, Func<string, string, Task<ApiProblemResult?>> change)
    {
        if (EventGroupChange.Check(eventId, body, proofs, out var group) is { } invalid) return Problems.From(invalid);
        return await change(body.ConnectionId!, group) is { } problem
            ? problem
            : TypedResults.NoContent();
    }
}
