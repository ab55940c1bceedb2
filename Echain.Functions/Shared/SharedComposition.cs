using Echain.Core;
using Echain.Core.Auth;
using Echain.Core.Chain.Rpc;
using Echain.Core.Deliveries;
using Echain.Core.Metadata;
using Echain.Core.Processing;
using Echain.Core.Projection;
using Echain.Core.Reads;
using Echain.Core.Realtime;
using Echain.Core.Reconciliation;
using Echain.Core.Subgraph;
using Echain.Core.Subgraph.Schema;
using Echain.Core.Webhooks;
using Echain.Functions.Shared.Apis;
using Echain.Functions.Shared.Deliveries;
using Echain.Functions.Shared.Http;
using Echain.Functions.Shared.Logging;
using Echain.Functions.Shared.OpenApi;
using Echain.Functions.Shared.Operations;
using Echain.Functions.Shared.Realtime;
using Echain.Functions.Shared.Telemetry;
using Echain.Functions.Shared.Web;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Echain.Functions.Shared;

/// <summary>What both hosts share: options, PostgreSQL, Redis, every Core service, and the routes both serve.</summary>
public static class SharedComposition
{
    public static WebApplicationBuilder AddEchainShared(this WebApplicationBuilder builder, EchainHost host)
    {
        var services = builder.Services;
        var config = builder.Configuration;
        services.AddSingleton(host);
        builder.AddEchainTelemetry(host);
        services.AddEchainOperatorPage();
        builder.AddEchainRequestLogging();
        builder.AddEchainRequestLimits();
        builder.AddEchainFrontendCors(host);
        builder.AddEchainRateLimits(host);

        // Every section is bound the same way; a host that does not use a section simply never resolves it.
        services.AddEchainOptions<EchainOptions>(EchainOptions.Section);
        // A contract that is not an address would match nothing: refuse to start, naming the setting.
        services.AddSingleton<IValidateOptions<EchainOptions>, EchainAddressValidation>();
        services.AddEchainOptions<ChainOptions>(ChainOptions.Section);
        // An RPC URL that is not http(s) would fail every call: refuse to start, naming the setting but not the URL.
        services.AddSingleton<IValidateOptions<ChainOptions>, ChainOptionsValidation>();
        services.AddEchainOptions<CoinbaseOptions>(CoinbaseOptions.Section);
        services.AddEchainOptions<RealtimeAuthOptions>(RealtimeAuthOptions.Section);
        // Same section, the sign-in half: an allowed origin that is not an origin refuses to start, naming the setting.
        services.AddEchainOptions<SignInOptions>(SignInOptions.Section);
        services.AddEchainOptions<AdminOptions>(AdminOptions.Section);
        services.AddSingleton<IValidateOptions<SignInOptions>, SignInOptionsValidation>();
        services.AddEchainOptions<CacheOptions>(CacheOptions.Section);
        services.AddEchainOptions<RedisCacheOptions>(RedisCacheOptions.Section);
        services.AddEchainOptions<WebPageOptions>(WebPageOptions.Section);
        // A metadata base or page template that is not an http(s) URL would be published to every wallet: refuse to start.
        services.AddEchainOptions<MetadataOptions>(MetadataOptions.Section)
            .Validate(o => o.IsValid(out _), "Echain:Metadata:PublicBaseUrl must be an absolute http(s) URL without query; EventPageUrl one containing {eventId}.");
        services.AddEchainOptions<RealtimeHistoryOptions>(RealtimeHistoryOptions.Section)
            .Validate(o => o.HistoryCount >= 0 && o.HistoryAge >= TimeSpan.Zero && o.PruneInterval > TimeSpan.Zero,
                "Echain:Realtime:HistoryCount and HistoryAge must not be negative, PruneInterval must be positive.");
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
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<RedisCacheOptions>>().Value);

        services.AddSingleton<DatabaseMigrator>();
        services.AddSingleton<Echain.Core.Chain.ContractLogDecoder>();
        services.AddSingleton<TicketProjector>();
        services.AddSingleton<TicketReadRepository>();
        services.AddSingleton<TicketReads>();
        services.AddSingleton<TicketDocuments>();
        services.AddSingleton<AnalyticsRepository>();
        services.AddSingleton<AnalyticsReads>();
        // The subgraph (GraphQL, The Graph's schema) over the same projection and cache.
        services.AddEchainOptions<SubgraphOptions>(SubgraphOptions.Section)
            .Validate(o => o.MaxDepth > 0 && o.MaxComplexity > 0 && o.MaxRequestBytes > 0 && o.IntrospectionMaxDepth > 0,
                $"{SubgraphOptions.Section}: MaxDepth, MaxComplexity, MaxRequestBytes and IntrospectionMaxDepth must be positive.");
        services.AddSingleton<ISubgraphReads, SubgraphReads>();
        services.AddSingleton<SubgraphSchema>();
        services.AddSingleton<SubgraphExecutor>();
        services.AddSingleton<ChainEventProcessor>();
        services.AddSingleton<IChainEventProcessor>(sp => sp.GetRequiredService<ChainEventProcessor>());
        services.AddSingleton<CoinbaseSignature>();
        services.AddSingleton<WebhookIngestFactory>();
        // The delivery log: the webhook records into a buffer; a writer drains it into PostgreSQL, a pruner keeps RetentionDays.
        services.AddEchainOptions<DeliveryLogOptions>(DeliveryLogOptions.Section).Validate(o => o.IsValid(out _),
            "Echain:Deliveries: MaxBodyBytes >= 0, BufferSize, RetentionDays and BatchSize >= 1, PruneInterval and RetryInitial positive, RetryMax >= RetryInitial.");
        services.AddSingleton<DeliveryLogBuffer>();
        services.AddSingleton<DeliveryLogStore>();
        services.TryAddSingleton<IDeliveryLog>(sp => sp.GetRequiredService<DeliveryLogBuffer>());
        services.AddHostedService<DeliveryLogWriter>();
        services.AddHostedService<DeliveryLogPruner>();
        services.AddSingleton<ICdpHealthStore, RedisCdpHealthStore>();
        services.AddSingleton<IReadCache>(sp => sp.GetRequiredService<IOptions<CacheOptions>>().Value.Enabled
            ? ActivatorUtilities.CreateInstance<RedisReadCache>(sp)
            : new UncachedReads());
        services.AddSingleton<IChainRpc, FailoverChainRpc>();
        services.AddSingleton<ChainStatusReader>();
        services.AddSingleton<ChainHealthProbe>();
        // The reconciler: both hosts run its passes (a worker standalone, a timer function on Azure).
        services.AddSingleton<LogRangeReader>();
        services.AddSingleton<Echain.Core.Chain.ChainLogDecoder>();
        services.AddSingleton<ChainCheckpointStore>();
        services.AddSingleton<ReconcilerLease>();
        services.AddSingleton<AppliedLogLedger>();
        services.AddSingleton<RecentlyQueued>();
        services.AddSingleton<BalanceObserver>();
        services.AddSingleton<ChainReconciler>();
        services.AddSingleton<RealtimeTokens>();
        // The same key as the tokens (the random per-process one too), so every instance verifies every proof.
        services.AddSingleton(sp => new Echain.Core.Realtime.ConnectionProof(sp.GetRequiredService<RealtimeTokens>().SecurityKey.Key));
        services.AddSingleton<RealtimeHistory>();
        services.AddSingleton<IWalletSignatures, WalletSignatures>();
        services.AddSingleton<SignInNonces>();
        services.AddSingleton<SignInChain>();
        services.AddSingleton<SignInVerifier>();
        services.AddEchainApiDocs();
        services.AddProblemDetails();
        services.AddExceptionHandler<ExceptionProblems>();
        // A binder's refusal (malformed JSON body, no body, a value of the wrong form) is thrown in every environment,
        // not only Development, so ExceptionProblems answers one fixed sentence per kind wherever the app runs.
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        return builder;
    }

    /// <summary>Binds <typeparamref name="T"/> to <paramref name="section"/>; the one way every options type is bound.</summary>
    public static OptionsBuilder<T> AddEchainOptions<T>(this IServiceCollection services, string section) where T : class =>
        services.AddOptions<T>().BindConfiguration(section).ValidateOnStart();

    /// <summary>
    /// The same binding for the few settings that decide what is registered (before any service exists);
    /// the section is also bound with <see cref="AddEchainOptions{T}"/> for everything that runs later.
    /// </summary>
    public static T BindNow<T>(this IConfiguration configuration, string section) where T : class, new() =>
        configuration.GetSection(section).Get<T>() ?? new T();

    /// <summary>Routes both hosts serve the same way (the Functions host forwards these requests unchanged).</summary>
    public static WebApplication MapEchainShared(this WebApplication app, EchainHost host)
    {
        // First, so every request is logged (without its query string or headers) with the status it ended with.
        app.UseEchainRequestLogging();
        // Then the read routes' response time, the whole answer included (problem answers too).
        app.UseEchainReadTimings();
        // Then a request over Kestrel's documented limits is refused with problem+json (Kestrel's own answer has no body).
        app.UseEchainRequestLimits();
        // Unhandled errors (503 for a dependency that is down) and empty 4xx/5xx answers become Echain's problem+json.
        app.UseExceptionHandler();
        app.UseStatusCodePages(StatusCodeProblems.WriteAsync);
        // Routing already chose the endpoint: its FrontendRoute metadata decides CORS, then its rate limit.
        app.UseEchainFrontendCors();
        app.UseEchainRateLimits();
        app.MapEventsApi();
        app.MapUsersApi();
        app.MapTicketsApi();
        app.MapGraphQLApi();
        app.MapDevTokenApi();
        app.MapSignInApi();
        app.MapHealthApi();
        app.MapChainApi();
        app.MapRealtimeHistoryApi();
        app.MapDeliveriesApi();
        app.MapOperatorApi();
        app.MapWebPages(host);
        app.MapEchainApiDocs(host);
        return app;
    }
}

/// <summary>Section "Echain:Cache". Disabled only for the benchmark's Postgres-only baseline.</summary>
public sealed class CacheOptions
{
    public const string Section = "Echain:Cache";
    public bool Enabled { get; set; } = true;
}

/// <summary>Start-up check of the configured contract addresses, failing with the setting that holds a typo.</summary>
internal sealed class EchainAddressValidation : IValidateOptions<EchainOptions>
{
    public ValidateOptionsResult Validate(string? name, EchainOptions options) =>
        options.HasValidAddresses(out var error) ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(error!);
}

/// <summary>Start-up check of the sign-in half of Echain:Auth (allowed origins, statement, times, chain id).</summary>
internal sealed class SignInOptionsValidation : IValidateOptions<SignInOptions>
{
    public ValidateOptionsResult Validate(string? name, SignInOptions options) =>
        options.IsValid(out var error) ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(error!);
}

/// <summary>Start-up check of Echain:Chain (RPC URLs are named by setting and scheme://host[:port] only).</summary>
internal sealed class ChainOptionsValidation : IValidateOptions<ChainOptions>
{
    public ValidateOptionsResult Validate(string? name, ChainOptions options) =>
        options.IsValid(out var error) ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(error!);
}
