using System.Globalization;
using System.Threading.RateLimiting;
using Echain.Core;
using Echain.Core.Realtime;
using Echain.Functions.Shared.Realtime;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Echain.Functions.Shared.Http;

/// <summary>The limits Echain keeps: one per <see cref="FrontendRouteKind"/>, and the webhook's.</summary>
public enum RateLimitPolicy
{
    Reads,
    Negotiate,
    SignIn,
    Realtime,
    Webhook,
}

/// <summary>Endpoint metadata for a limited route that is not a frontend route (the webhook).</summary>
public sealed record RateLimitedAs(RateLimitPolicy Policy);

/// <summary>One policy: at most <see cref="PermitLimit"/> requests per client in each fixed <see cref="Window"/>; no queue.</summary>
public sealed class RateLimitWindow
{
    public int PermitLimit { get; set; }
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Section "Echain:RateLimits". Fixed windows: the Retry-After is exact (the window's end) and a page load's burst fits in
/// one window; the up-to-2× burst across a window boundary is harmless at limits this far above a real page's use.
/// Limits are per instance (in memory): behind N instances a client may send N times as much.
/// </summary>
public sealed class RateLimitsOptions
{
    public const string Section = "Echain:RateLimits";

    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Take the client's address from the last <c>X-Forwarded-For</c> entry (what the nearest proxy saw, which a client cannot
    /// forge) instead of the connection's. Null: on under the Functions host (its only caller is the local host process,
    /// which forwards Azure's front end's header), off standalone (a client could pick any address otherwise).
    /// </summary>
    public bool? TrustForwardedFor { get; set; }

    /// <summary>A page load makes about 10 reads; 600 a minute is 60 page loads, or a page refetching every 100 ms.</summary>
    public RateLimitWindow Reads { get; set; } = new() { PermitLimit = 600 };
    /// <summary>One per connection start; 60 a minute covers a dozen tabs reconnecting through the client's 0/2/10/30 s backoff.</summary>
    public RateLimitWindow Negotiate { get; set; } = new() { PermitLimit = 60 };
    /// <summary>Nonce + verify is one sign-in; 30 a minute is 15 sign-ins, far more than a person makes, few for a password guesser.</summary>
    public RateLimitWindow SignIn { get; set; } = new() { PermitLimit = 30 };
    /// <summary>A reconnect joins each watched event again and reads its history: 300 a minute is dozens of events per reconnect.</summary>
    public RateLimitWindow Realtime { get; set; } = new() { PermitLimit = 300 };
    /// <summary>Per sending address: 12,000 a minute (200 a second sustained, all of it in one burst) is far above what CDP delivers.</summary>
    public RateLimitWindow Webhook { get; set; } = new() { PermitLimit = 12_000 };

    public RateLimitWindow For(RateLimitPolicy policy) => policy switch
    {
        RateLimitPolicy.Reads => Reads,
        RateLimitPolicy.Negotiate => Negotiate,
        RateLimitPolicy.SignIn => SignIn,
        RateLimitPolicy.Realtime => Realtime,
        _ => Webhook,
    };

    public bool IsValid(out string? error)
    {
        error = null;
        foreach (var policy in Enum.GetValues<RateLimitPolicy>())
        {
            var window = For(policy);
            if (window.PermitLimit < 1 || window.Window <= TimeSpan.Zero)
            {
                error = $"{Section}:{policy}: PermitLimit must be at least 1 and Window positive (got {window.PermitLimit} per {window.Window}).";
                return false;
            }
        }
        return true;
    }
}

/// <summary>
/// ASP.NET Core's rate limiter, one fixed window per (policy, client). The client is the signed-in wallet when the request
/// carries a bearer token that validates (a forged one cannot open partitions of its own), else its address (IPv6 by /64,
/// which one host owns). Routes without a policy (health, admin, pages, the SignalR hub's own traffic) are not limited.
/// </summary>
public static class RateLimits
{
    private const string WalletItem = "echain.rate-limit.wallet";

    public static WebApplicationBuilder AddEchainRateLimits(this WebApplicationBuilder builder, EchainHost host)
    {
        builder.Services.AddEchainOptions<RateLimitsOptions>(RateLimitsOptions.Section);
        builder.Services.AddSingleton<IValidateOptions<RateLimitsOptions>, RateLimitsValidation>();
        builder.Services.AddRateLimiter(_ => { });
        builder.Services.AddOptions<RateLimiterOptions>().Configure<IOptions<RateLimitsOptions>>((limiter, configured) =>
        {
            var limits = configured.Value;
            var trustForwardedFor = limits.TrustForwardedFor ?? host.IsAzureFunctions;
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, (RateLimitPolicy, string)>(context =>
            {
                if (PolicyOf(context.GetEndpoint()) is not { } policy) return RateLimitPartition.GetNoLimiter((RateLimitPolicy.Reads, ""));
                var client = context.Items[WalletItem] as string ?? ClientAddress.Of(context, trustForwardedFor);
                var window = limits.For(policy);
                return RateLimitPartition.GetFixedWindowLimiter((policy, client), _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = window.PermitLimit,
                    Window = window.Window,
                    // Queueing would hold a connection open to answer late; a refusal says when to come back.
                    QueueLimit = 0,
                });
            });
            limiter.OnRejected = (rejected, _) =>
            {
                var policy = PolicyOf(rejected.HttpContext.GetEndpoint()) ?? RateLimitPolicy.Reads;
                var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
                    ? retryAfter
                    : limits.For(policy).Window;
                EchainMetrics.RequestsRateLimited.Add(1, new KeyValuePair<string, object?>("policy", PolicyTag(policy)));
                var problem = ApiProblem.TooManyRequests((int)Math.Ceiling(wait.TotalSeconds));
                return new ValueTask(Problems.From(problem).ExecuteAsync(rejected.HttpContext));
            };
        });
        return builder;
    }

    /// <summary>After CORS (a 429 must carry its headers), before every endpoint. Nothing at all while Enabled is false.</summary>
    public static WebApplication UseEchainRateLimits(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<RateLimitsOptions>>().Value.Enabled) return app;
        // The partitioner is synchronous: the bearer is verified here, once, and only on limited routes.
        app.Use(async (context, next) =>
        {
            if (PolicyOf(context.GetEndpoint()) is not null
                && NegotiateGate.TryBearer(context.Request.Headers.Authorization.ToString(), out var token))
            {
                var (valid, wallet) = await context.RequestServices.GetRequiredService<RealtimeTokens>().ValidateNegotiatorAsync(token);
                if (valid && wallet is not null) context.Items[WalletItem] = "wallet:" + wallet;
            }
            await next(context);
        });
        app.UseRateLimiter();
        return app;
    }

    public static RateLimitPolicy? PolicyOf(Endpoint? endpoint)
    {
        if (endpoint is null || endpoint.Metadata.GetMetadata<DisableRateLimitingAttribute>() is not null) return null;
        if (endpoint.Metadata.GetMetadata<RateLimitedAs>() is { } limited) return limited.Policy;
        return endpoint.Metadata.GetMetadata<FrontendRoute>()?.Kind switch
        {
            FrontendRouteKind.Read => RateLimitPolicy.Reads,
            FrontendRouteKind.Negotiate => RateLimitPolicy.Negotiate,
            FrontendRouteKind.SignIn => RateLimitPolicy.SignIn,
            FrontendRouteKind.Realtime => RateLimitPolicy.Realtime,
            _ => null,
        };
    }

    /// <summary>The metric tag: the setting's name in lower case (reads, negotiate, signin, realtime, webhook).</summary>
    public static string PolicyTag(RateLimitPolicy policy) => policy.ToString().ToLower(CultureInfo.InvariantCulture);
}

/// <summary>Start-up check of Echain:RateLimits, naming the policy whose limit or window cannot work.</summary>
internal sealed class RateLimitsValidation : IValidateOptions<RateLimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, RateLimitsOptions options) =>
        options.IsValid(out var error) ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(error!);
}
