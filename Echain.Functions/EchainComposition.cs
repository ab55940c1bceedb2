using Echain.Core;
using Echain.Core.Processing;
using Echain.Core.Projection;
using Echain.Core.Queue;
using Echain.Core.Reads;
using Echain.Core.Webhooks;
using Echain.Functions.Apis;
using Echain.Functions.Hosting;
using Echain.Functions.Realtime;
using Echain.Functions.Web;
using Microsoft.AspNetCore.SignalR;
using Npgsql;
using StackExchange.Redis;

namespace Echain.Functions;

/// <summary>All composition in one place: the Core services, then the standalone host's adapters.</summary>
public static class EchainComposition
{
    /// <summary>What both hosts share: options, Postgres, Redis, and every Core service.</summary>
    public static WebApplicationBuilder AddEchainCore(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var config = builder.Configuration;

        services.Configure<EchainOptions>(config.GetSection(EchainOptions.Section));
        services.Configure<CoinbaseOptions>(config.GetSection(CoinbaseOptions.Section));
        services.Configure<RealtimeAuthOptions>(config.GetSection(RealtimeAuthOptions.Section));
        services.Configure<CacheOptions>(config.GetSection(CacheOptions.Section));
        services.AddSingleton(config.GetSection("Echain:Queue").Get<RedisQueueOptions>() ?? new RedisQueueOptions());
        services.AddSingleton(config.GetSection("Echain:Cache:Redis").Get<RedisCacheOptions>() ?? new RedisCacheOptions());
        services.AddSingleton(TimeProvider.System);

        services.AddSingleton(_ =>
        {
            var connection = new NpgsqlConnectionStringBuilder(
                config.GetConnectionString("Postgres") ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set."));
            // The projector and the reads repeat a few dozen statements: prepared once per connection,
            // Postgres stops parsing and planning them on every event. A connection string may still choose.
            if (connection.MaxAutoPrepare == 0) connection.MaxAutoPrepare = 64;
            return NpgsqlDataSource.Create(connection.ConnectionString);
        });
        // Starts even while Redis is down and fails fast instead of queueing commands: reads fall back
        // to Postgres and ingest answers 503 until Redis is back.
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(RedisConnectionDefaults.Parse(
            config.GetConnectionString("Redis") ?? throw new InvalidOperationException("ConnectionStrings:Redis is not set."))));

        services.AddSingleton<DatabaseMigrator>();
        services.AddSingleton<TicketProjector>();
        services.AddSingleton<TicketReadRepository>();
        services.AddSingleton<TicketReads>();
        services.AddSingleton<ChainEventProcessor>();
        services.AddSingleton<CoinbaseSignature>();
        services.AddSingleton<CoinbaseWebhookIngest>();
        services.AddSingleton<IReadCache>(sp => sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<CacheOptions>>().Value.Enabled
            ? ActivatorUtilities.CreateInstance<RedisReadCache>(sp)
            : new UncachedReads());
        services.AddSingleton<RealtimeTokens>();
        services.AddProblemDetails();
        return builder;
    }

    /// <summary>Standalone: Redis Stream queue and its consumer, the in-process SignalR hub.</summary>
    public static WebApplicationBuilder AddEchainStandalone(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSingleton<RedisChainEventQueue>();
        services.AddSingleton<IChainEventQueue>(sp => sp.GetRequiredService<RedisChainEventQueue>());
        services.AddSingleton<ChainEventConsumer>();
        services.AddEchainRealtime(builder.Configuration);
        services.AddSingleton<HubRealtimePublisher>();
        if (builder.Configuration.GetValue("Echain:Queue:Consume", true))
            services.AddHostedService<ChainEventQueueWorker>();
        return builder;
    }

    /// <summary>Routes both hosts serve the same way (the Functions host forwards these requests unchanged).</summary>
    public static WebApplication MapEchainReads(this WebApplication app)
    {
        // Unhandled errors and empty 4xx answers become problem+json too, never an HTML page.
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapEventsApi();
        app.MapUsersApi();
        app.MapDevTokenApi();
        app.MapHealthApi();
        app.MapWebPages();
        return app;
    }

    public static WebApplication MapEchainStandalone(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapWebhookApi();
        app.MapRealtimeApi();
        app.MapAdminApi();
        app.MapHub<EchainHub>(EchainHub.Path);
        return app;
    }
}

/// <summary>Section "Echain:Cache". Disabled only for the benchmark's Postgres-only baseline.</summary>
public sealed class CacheOptions
{
    public const string Section = "Echain:Cache";
    public bool Enabled { get; set; } = true;
}
