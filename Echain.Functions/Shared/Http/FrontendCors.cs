using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;

namespace Echain.Functions.Shared.Http;

/// <summary>Section "Echain:Cors": the origins of browser apps that may call the frontend routes from another origin.</summary>
public sealed class FrontendCorsOptions
{
    public const string Section = "Echain:Cors";

    /// <summary><c>https://app.example</c>, <c>http://localhost:3000</c>; empty: same origin only (no CORS headers at all).</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>The origins as browsers send them in <c>Origin</c> (scheme://host[:port], no default port; call after <see cref="IsValid"/>).</summary>
    public IReadOnlyList<string> Origins() =>
        AllowedOrigins.Select(o => new Uri(o.Trim(), UriKind.Absolute).GetLeftPart(UriPartial.Authority)).ToArray();

    /// <summary>False, with the offending setting, when an entry is not an origin.</summary>
    public bool IsValid(out string? error)
    {
        error = null;
        for (var i = 0; i < AllowedOrigins.Count; i++)
        {
            var value = AllowedOrigins[i]?.Trim();
            if (value == "*")
            {
                error = $"{Section}:{nameof(AllowedOrigins)}:{i} = '*' is refused: the frontend routes allow credentials " +
                    "(the SignalR client sends them), and browsers refuse a wildcard origin with credentials; list each origin.";
                return false;
            }
            if (!Uri.TryCreate(value, UriKind.Absolute, out var origin) || origin.Scheme is not ("http" or "https")
                || origin.PathAndQuery != "/" || origin.Fragment.Length > 0 || origin.UserInfo.Length > 0 || value.EndsWith('/'))
            {
                error = $"{Section}:{nameof(AllowedOrigins)}:{i} = '{AllowedOrigins[i]}' is not an origin (http(s)://host[:port], no path).";
                return false;
            }
        }
        return true;
    }
}

/// <summary>
/// CORS for the routes marked <see cref="FrontendRoutes.ServesFrontend"/> only (their metadata names <see cref="Policy"/>):
/// the webhook and admin routes never get a CORS header, not even to a preflight. On the Functions host the platform's
/// CORS (Function App siteConfig.cors, or Core Tools' Host.CORS) answers instead and applies to every route; the app's
/// policy then allows no origin, so a response never carries the header twice (browsers refuse that).
/// </summary>
public static class FrontendCors
{
    public const string Policy = "echain-frontend";

    /// <summary>What the browser may send: the bearer, JSON bodies, conditional reads, and the SignalR JS client's own headers.</summary>
    public static readonly string[] AllowedHeaders = ["authorization", "content-type", "if-none-match", "x-requested-with", "x-signalr-user-agent"];

    /// <summary>What the browser app may read beyond the safelisted headers: the read's ETag and source, a refusal's wait.</summary>
    public static readonly string[] ExposedHeaders = ["ETag", "Retry-After", "X-Cache", "Location"];

    public static WebApplicationBuilder AddEchainFrontendCors(this WebApplicationBuilder builder, EchainHost host)
    {
        builder.Services.AddEchainOptions<FrontendCorsOptions>(FrontendCorsOptions.Section);
        builder.Services.AddSingleton<IValidateOptions<FrontendCorsOptions>, FrontendCorsValidation>();
        builder.Services.AddCors();
        builder.Services.AddOptions<CorsOptions>().Configure<IOptions<FrontendCorsOptions>>((cors, frontend) =>
            cors.AddPolicy(Policy, policy =>
            {
                // The platform does CORS on the Functions host: an app policy that allows no origin adds no header there.
                var origins = host.IsAzureFunctions || !frontend.Value.IsValid(out _) ? [] : frontend.Value.Origins();
                policy.WithOrigins([.. origins])
                    .AllowCredentials()
                    .WithMethods("GET", "POST", "DELETE")
                    .WithHeaders(AllowedHeaders)
                    .WithExposedHeaders(ExposedHeaders)
                    // A page calls the same few routes again and again: one preflight each per 10 minutes (Chromium's cap is 2 h).
                    .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
            }));
        return builder;
    }

    /// <summary>
    /// After routing (the endpoint's metadata chooses the policy), before the rate limiter: a refusal (429) carries the
    /// CORS headers, so the browser app can read it. A preflight is answered here (204), whatever its origin.
    /// </summary>
    public static WebApplication UseEchainFrontendCors(this WebApplication app)
    {
        app.UseCors();
        return app;
    }
}

/// <summary>Start-up check of Echain:Cors:AllowedOrigins, naming the entry that is not an origin (or is '*').</summary>
internal sealed class FrontendCorsValidation : IValidateOptions<FrontendCorsOptions>
{
    public ValidateOptionsResult Validate(string? name, FrontendCorsOptions options) =>
        options.IsValid(out var error) ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(error!);
}
