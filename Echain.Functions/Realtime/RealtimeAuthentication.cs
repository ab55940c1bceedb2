using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Echain.Functions.Realtime;

public static class RealtimeAuthentication
{
    public const string Scheme = "EchainConnection";

    public static IServiceCollection AddEchainRealtime(this IServiceCollection services, IConfiguration config)
    {
        services.AddSingleton<IUserIdProvider, WalletUserIdProvider>();
        services.AddAuthentication()
            .AddJwtBearer(Scheme, options =>
            {
                options.MapInboundClaims = false;
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

        var backplane = config.GetValue<bool>("Echain:Realtime:RedisBackplane");
        services.AddSingleton(new HubConnections(backplane));
        var signalR = services.AddSignalR();
        if (backplane)
        {
            // Scale-out: every instance sees every group/user message (DESIGN.md "two hosts").
            signalR.AddStackExchangeRedis(o => o.ConnectionFactory = async _ =>
                await ConnectionMultiplexer.ConnectAsync(config.GetConnectionString("Redis")!));
        }
        return services;
    }
}
