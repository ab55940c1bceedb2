using Echain.Core.Realtime;
using Echain.Core.Telemetry;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Echain.Functions.Standalone.Realtime;

/// <summary>
/// The standalone stand-in for SignalR Service in Serverless mode: clients only receive. A connection joins the
/// event groups its negotiate named (<see cref="NegotiatedEvents"/>, carried on the hub URL) as it connects; any
/// other change goes through POST /api/realtime/groups/{eventId}, as it must with SignalR Service, with the proof
/// this hub sends each connection first (<see cref="ConnectionProof"/>; OnConnected on Azure).
/// </summary>
[Authorize(AuthenticationSchemes = RealtimeAuthentication.Scheme)]
public sealed class EchainHub(HubConnections connections, TransportOwners owners, ConnectionProof proofs) : Hub
{
    public const string Path = "/hubs/echain";

    public override async Task OnConnectedAsync()
    {
        owners.Connected(Context.ConnectionId);
        connections.Connected(Context.ConnectionId);
        KpiMetrics.RealtimeConnections.Add(1);
        try
        {
            var joined = await JoinNegotiatedEventsAsync();
            // To this connection only: whoever else learns the id still cannot change its groups. After the joins, so a
            // client holding its proof is in its groups (a reconnect negotiates again, and joins again).
            await Clients.Caller.SendAsync(ConnectionProof.Target, proofs.MessageFor(Context.ConnectionId, joined), Context.ConnectionAborted);
            await base.OnConnectedAsync();
        }
        catch (Exception)
        {
            // SignalR does not call OnDisconnectedAsync for a connection whose OnConnectedAsync failed.
            KpiMetrics.RealtimeConnections.Add(-1);
            throw;
        }
    }

    /// <summary>
    /// The events of the hub URL's query. Negotiate refused a bad list already; one written by hand is refused here too
    /// (the connection closes with the reason), never joined in part.
    /// </summary>
    private async Task<IReadOnlyList<string>> JoinNegotiatedEventsAsync()
    {
        var query = Context.GetHttpContext()?.Request.Query[NegotiatedEvents.Query].ToString();
        if (NegotiatedEvents.Parse(query, out var eventIds) is { } invalid) throw new HubException(invalid.Detail);
        foreach (var eventId in eventIds)
            await Groups.AddToGroupAsync(Context.ConnectionId, RealtimeTargets.EventGroup(eventId), Context.ConnectionAborted);
        return eventIds;
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        KpiMetrics.RealtimeConnections.Add(-1);
        connections.Disconnected(Context.ConnectionId);
        owners.Ended(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }
}

/// <summary>The SignalR userId is the connection token's subject (a lowercase wallet), never client-chosen.</summary>
public sealed class WalletUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) =>
        connection.User.FindFirst(JwtRegisteredClaimNames.Sub)?.Value;
}
