using Echain.Functions.Shared.Realtime;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Echain.Functions.Standalone.Realtime;

public static class RealtimeAuthentication
{
    public const string Scheme = "EchainConnection";

    public static IServiceCollection AddEchainRealtime(this IServiceCollection services, RealtimeOptions realtime, string? redisConnection)
    {
        services.AddSingleton<IUserIdProvider, WalletUserIdProvider>();
        services.AddAuthentication()
            .AddJwtBearer(Scheme, options =>
            {
                options.MapInboundClaims = false;
                // TransportOwnerMiddleware binds a connection to the exact token that negotiated it.
                options.SaveToken = true;
                options.Events = new JwtBearerEvents
                {
                    // WebSockets and SSE cannot send headers from a browser: the client puts the token in the query.
                    OnMessageReceived = context =>
                    {
                        var token = context.Request.Query["access_token"];
                        if (!string.IsNullOrEmpty(token) && context.HttpContext.Request.Path.StartsWithSegments(EchainHub.Path))
                            context.Token = token;
                        return Task.CompletedTask;
                    },
                };
            });
        services.AddOptions<JwtBearerOptions>(Scheme)
            .Configure<RealtimeTokens>((options, tokens) =>
                options.TokenValidationParameters = tokens.ValidationParameters(RealtimeTokens.HubAudience));
        services.AddAuthorization();

        services.AddSingleton(new HubConnections(realtime.RedisBackplane));
        services.AddSingleton<TransportOwners>();
        // Stateful reconnect keeps every message until the client acknowledges it, and clients acknowledge about once
        // a second: a send waits when a connection's buffer is full. SignalR's 100 KB default stalls the projector's
        // publish (and every group send) at a few hundred messages per second per connection; the buffer only holds
        // what a second's traffic left unacknowledged, so a larger bound costs memory only for busy or stuck clients.
        var signalR = services.AddSignalR(o => o.StatefulReconnectBufferSize = realtime.StatefulReconnectBufferSize);
        // MessagePack for clients that ask for it (AddMessagePackProtocol / MessagePackHubProtocol), with the JSON
        // protocol's payload shapes: a client reads the same keys and values whichever it chose.
        signalR.AddMessagePackProtocol();
        services.AddOptions<MessagePackHubProtocolOptions>().Configure<IOptions<JsonHubProtocolOptions>>((messagePack, json) =>
            messagePack.SerializerOptions = JsonShapedMessagePack.Options(json.Value.PayloadSerializerOptions));
        if (realtime.RedisBackplane)
        {
            // Scale-out: every instance sees every group/user message (docs/architecture.md, "scale-out").
            signalR.AddStackExchangeRedis(o => o.ConnectionFactory = async _ =>
                await ConnectionMultiplexer.ConnectAsync(redisConnection
                    ?? throw new InvalidOperationException("ConnectionStrings:Redis is not set.")));
        }
        return services;
    }
}

/// <summary>Section "Echain:Realtime".</summary>
public sealed class RealtimeOptions
{
    public const string Section = "Echain:Realtime";

    /// <summary>SignalR Redis backplane, for several standalone instances behind a load balancer.</summary>
    public bool RedisBackplane { get; set; }

    /// <summary>Bytes of unacknowledged messages kept per connection for stateful reconnect (SignalR's default is 100,000).</summary>
    public long StatefulReconnectBufferSize { get; set; } = 1_000_000;
}
