using Echain.Core.Queue;
using Echain.Core.Realtime;
using Echain.Core.Webhooks;
using Echain.Functions.Shared;
using Echain.Functions.Shared.Apis;
using Echain.Functions.Shared.Http;
using Echain.Functions.Shared.Telemetry;
using Echain.Functions.Standalone.Apis;
using Echain.Functions.Standalone.Queue;
using Echain.Functions.Standalone.Realtime;
using Echain.Functions.Standalone.Reconciliation;
using Microsoft.Extensions.Options;

namespace Echain.Functions.Standalone;

/// <summary>The standalone host: the Redis Stream queue and its consumer, the in-process SignalR hub, the admin routes.</summary>
public static class StandaloneComposition
{
    public static WebApplicationBuilder AddEchainStandalone(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        // Validate() throws with the reason, so a bad Echain:Queue stops the start-up with it.
        services.AddEchainOptions<RedisQueueOptions>(RedisQueueOptions.Section).Validate(o => { o.Validate(); return true; });
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<RedisQueueOptions>>().Value);

        services.AddSingleton<RedisChainEventQueue>();
        services.AddSingleton<IChainEventQueue>(sp => sp.GetRequiredService<RedisChainEventQueue>());
        services.AddSingleton<ChainEventConsumer>();
        services.AddSingleton<DeadLetterStore>();
        services.AddSingleton<IDeadLetterQueue>(sp => sp.GetRequiredService<DeadLetterStore>());
        services.AddSingleton<IChainEventQueueMonitor, RedisChainEventQueueMonitor>();
        services.AddSingleton<CoinbaseWebhookIngest>();

        // The backplane changes which services SignalR registers, so it is read now, bound like every other section.
        var realtime = builder.Configuration.BindNow<RealtimeOptions>(RealtimeOptions.Section);
        services.AddEchainOptions<RealtimeOptions>(RealtimeOptions.Section);
        services.AddEchainRealtime(realtime, builder.Configuration.GetConnectionString("Redis"));
        services.AddSingleton<HubRealtimePublisher>();
        services.AddSingleton<IRealtimePublisher>(sp => sp.GetRequiredService<HubRealtimePublisher>());
        // Ends at once on an ingest-only instance (Echain:Queue:Consume=false).
        services.AddHostedService<ProcessChainEventWorker>();
        // Ends at once when the reconciler is off (no Echain:Chain:RpcUrls, or Echain:Chain:Reconcile=false).
        services.AddHostedService<ChainReconcilerWorker>();
        services.AddHostedService<RealtimeHistoryPruner>();
        return builder;
    }

    public static WebApplication MapEchainStandalone(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<TransportOwnerMiddleware>();
        app.MapWebhookApi();
        app.MapRealtimeApi();
        app.MapAdminApi();
        app.MapEchainMetrics();
        // Stateful reconnect: a client that comes back within the buffer gets what was sent meanwhile, before any resume call.
        // CORS like every frontend route (negotiate, WebSockets, long polling, with credentials); not rate limited: a long-polling
        // client polls once per message batch, and connections only start through /api/negotiate, which is limited.
        app.MapHub<EchainHub>(EchainHub.Path, o => o.AllowStatefulReconnects = true)
            .ServesFrontend(FrontendRouteKind.Realtime).DisableRateLimiting();
        return app;
    }
}
