using Echain.Core.Realtime;
using Microsoft.AspNetCore.SignalR;

namespace Echain.Functions.Standalone.Realtime;

/// <summary>Standalone realtime output: the in-process hub (with the Redis backplane when scaled out).</summary>
public sealed class HubRealtimePublisher(IHubContext<EchainHub> hub) : IRealtimePublisher
{
    public async Task PublishAsync(IReadOnlyList<RealtimeMessage> messages, CancellationToken cancellationToken)
    {
        foreach (var message in messages)
        {
            var clients = message.GroupName is not null
                ? hub.Clients.Group(message.GroupName)
                : hub.Clients.User(message.UserId ?? throw new InvalidOperationException($"{message.Target} has neither group nor user."));
            await clients.SendAsync(message.Target, message.Payload, cancellationToken);
        }
    }
}
