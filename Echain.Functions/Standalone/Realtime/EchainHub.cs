using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Echain.Functions.Standalone.Realtime;

/// <summary>
/// The standalone stand-in for SignalR Service in Serverless mode: clients only receive. Group
/// membership goes through POST /api/realtime/groups/{eventId}, as it must with SignalR Service.
/// </summary>
[Authorize(AuthenticationSchemes = RealtimeAuthentication.Scheme)]
public sealed class EchainHub(HubConnections connections) : Hub
{
    public const string Path = "/hubs/echain";

    public override Task OnConnectedAsync()
    {
        connections.Connected(Context.ConnectionId);
        return base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Disconnected(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }
}

/// <summary>The SignalR userId is the connection token's subject (a lowercase wallet), never client-chosen.</summary>
public sealed class WalletUserIdProvider : IUserIdProvider
{
    public string? GetUserId(HubConnectionContext connection) =>
        connection.User.FindFirst(JwtRegisteredClaimNames.Sub)?.Value;
}
