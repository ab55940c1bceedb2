using Echain.Core.Realtime;
using Echain.Core.Reads;
using Echain.Functions.Http;
using Echain.Functions.Realtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Echain.Functions.Apis;

/// <summary>Negotiate and group membership, shaped exactly like the SignalR Service functions.</summary>
public static class RealtimeApi
{
    public static IEndpointRouteBuilder MapRealtimeApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/negotiate", NegotiateAsync);
        app.MapPost("/api/realtime/groups/{eventId}", JoinEventGroupAsync);
        app.MapDelete("/api/realtime/groups/{eventId}", LeaveEventGroupAsync);
        return app;
    }

    public static IEndpointRouteBuilder MapDevTokenApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/dev/token", IssueDevToken);
        return app;
    }

    public sealed record ConnectionInfo(string Url, string AccessToken);
    public sealed record GroupMembership(string ConnectionId);
    public sealed record DevTokenRequest(string Address);
    public sealed record DevToken(string AccessToken, string UserId, DateTimeOffset ExpiresOn);

    /// <summary>
    /// {url, accessToken}: the SignalR client follows it like SignalR Service's negotiate redirect.
    /// The userId comes only from a verified user token; without one the connection is anonymous.
    /// </summary>
    public static async Task<Results<Ok<ConnectionInfo>, ApiProblemResult>> NegotiateAsync(HttpRequest request, RealtimeTokens tokens)
    {
        string? userId = null;
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var (valid, identity) = await tokens.ValidateNegotiatorAsync(authorization["Bearer ".Length..].Trim());
            if (!valid) return Problems.Unauthorized("The bearer token is invalid or expired.");
            userId = identity;
        }
        var hubUrl = $"{request.Scheme}://{request.Host}{request.PathBase}{EchainHub.Path}";
        return TypedResults.Ok(new ConnectionInfo(hubUrl, tokens.CreateConnectionToken(userId)));
    }

    public static Task<Results<NoContent, ApiProblemResult>> JoinEventGroupAsync(
        string eventId, [FromBody] GroupMembership body, IHubContext<EchainHub> hub, HubConnections connections,
        CancellationToken ct) =>
        ChangeGroupAsync(eventId, body, async (connection, group) =>
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
        string eventId, [FromBody] GroupMembership body, IHubContext<EchainHub> hub, CancellationToken ct) =>
        ChangeGroupAsync(eventId, body, async (connection, group) =>
        {
            await hub.Groups.RemoveFromGroupAsync(connection, group, ct);
            return null;
        });

    /// <param name="change">does the group change; returns a problem instead when it cannot.</param>
    private static async Task<Results<NoContent, ApiProblemResult>> ChangeGroupAsync(
        string eventId, GroupMembership body, Func<string, string, Task<ApiProblemResult?>> change)
    {
        if (CheckGroupChange(eventId, body.ConnectionId, out var group) is { } invalid) return invalid;
        return await change(body.ConnectionId!, group) is { } problem
            ? problem
            : TypedResults.NoContent();
    }

    /// <summary>What both hosts check before a group change: the problem to answer, or null and the group name.</summary>
    internal static ApiProblemResult? CheckGroupChange(string eventId, string? connectionId, out string group)
    {
        group = "";
        if (!TicketedEventId.TryParse(eventId, out var id)) return Problems.BadEventId(eventId);
        if (string.IsNullOrWhiteSpace(connectionId)) return Problems.BadRequest("connectionId is required.", "connectionId");
        group = RealtimeTargets.EventGroup(id.Value);
        return null;
    }

    /// <summary>Development stand-in for wallet sign-in: signs a user token for any address.</summary>
    public static Results<Ok<DevToken>, ApiProblemResult, NotFound> IssueDevToken(
        DevTokenRequest body, RealtimeTokens tokens, IOptions<RealtimeAuthOptions> options)
    {
        if (!options.Value.EnableDevTokens) return TypedResults.NotFound();
        if (!WalletAddress.TryParse(body.Address, out var wallet))
            return Problems.BadRequest($"'{body.Address}' is not an address (0x followed by 40 hex digits).", "address");
        return TypedResults.Ok(new DevToken(tokens.CreateUserToken(wallet.Value), wallet.Value, tokens.ExpiresOn));
    }


}
