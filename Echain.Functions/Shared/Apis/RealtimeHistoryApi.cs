using System.Globalization;
using Echain.Core.Reads;
using Echain.Core.Realtime;
using Echain.Functions.Shared.Http;
using Echain.Functions.Shared.OpenApi;
using Echain.Functions.Shared.Realtime;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Echain.Functions.Shared.Apis;

/// <summary>
/// Resuming after a reconnect: the messages of a stream after the last seq a client applied, or 410 when the kept
/// history no longer covers it (then the client refetches). Both hosts serve these (the Functions host forwards them).
/// </summary>
public static class RealtimeHistoryApi
{
    public static IEndpointRouteBuilder MapRealtimeHistoryApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/realtime/groups/{eventId}/messages", GetGroupMessagesAsync).ProducesProblems(400, 410).WithTags("Realtime")
            .ServesFrontend(FrontendRouteKind.Realtime);
        app.MapGet("/api/realtime/me/messages", GetMyMessagesAsync).AcceptsBearer(optional: false).ProducesProblems(400, 401, 410).WithTags("Realtime")
            .ServesFrontend(FrontendRouteKind.Realtime);
        return app;
    }

    public static async Task<Results<Ok<RealtimeHistoryPage>, ApiProblemResult>> GetGroupMessagesAsync(
        string eventId, string? after, RealtimeHistory history, HttpResponse response, CancellationToken ct)
    {
        if (!TicketedEventId.TryParse(eventId, out var id)) return Problems.BadEventId(eventId);
        return await ReadAsync(RealtimeTargets.EventGroup(id.Value), after, history, response, ct);
    }

    /// <summary>The signed-in user's own stream: only a user token (Authorization: Bearer) says whose.</summary>
    public static async Task<Results<Ok<RealtimeHistoryPage>, ApiProblemResult>> GetMyMessagesAsync(
        string? after, HttpRequest request, RealtimeTokens tokens, RealtimeHistory history, HttpResponse response, CancellationToken ct)
    {
        if (!NegotiateGate.TryBearer(request.Headers.Authorization.ToString(), out var token))
            return Problems.Unauthorized("Send Authorization: Bearer <user token> to read your own messages.");
        var wallet = await tokens.ValidateUserTokenAsync(token);
        if (wallet is null) return Problems.Unauthorized("The bearer token is invalid or expired.");
        return await ReadAsync(RealtimeTargets.UserStream(wallet), after, history, response, ct);
    }

    private static async Task<Results<Ok<RealtimeHistoryPage>, ApiProblemResult>> ReadAsync(
        string stream, string? after, RealtimeHistory history, HttpResponse response, CancellationToken ct)
    {
        long? position = null;
        if (after is not null)
        {
            if (!long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
                return Problems.BadRequest($"after must be a seq: a whole number from 0 (got '{after}').", "after");
            position = parsed;
        }
        var (page, gone) = await history.ReadAsync(stream, position, ct);
        // Every answer depends on what committed a moment ago.
        response.Headers.CacheControl = "no-store";
        return gone is not null ? Problems.From(gone) : TypedResults.Ok(page!);
    }
}
