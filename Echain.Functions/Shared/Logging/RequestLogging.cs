using Microsoft.AspNetCore.HttpLogging;
using Microsoft.Extensions.Logging.Console;

namespace Echain.Functions.Shared.Logging;

/// <summary>
/// Request logs without secrets. ASP.NET Core's "Request starting/finished" lines carry the full URL, and a
/// SignalR client puts its token (<c>access_token=</c>) and connection token (<c>id=</c>) in the query of WebSocket,
/// SSE and long-polling requests: that category is capped here, in code, so no setting brings it back. Requests
/// are logged instead by HttpLogging with method, path, status and duration only: never the query string, never
/// a header (Authorization included), never a body. Quiet by default (appsettings.json puts the category at Warning:
/// one line per request drowned everything else); <c>Logging__LogLevel__Microsoft.AspNetCore.HttpLogging=Information</c> turns them on.
/// </summary>
public static class RequestLogging
{
    /// <summary>The category whose Information lines contain the request URL with its query string.</summary>
    public const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";

    public static WebApplicationBuilder AddEchainRequestLogging(this WebApplicationBuilder builder)
    {
        // The same category and provider as a setting is a tie, which the rule added last wins: this one.
        builder.Logging.AddFilter(HostingDiagnostics, LogLevel.Warning);
        builder.Logging.AddFilter<ConsoleLoggerProvider>(HostingDiagnostics, LogLevel.Warning);
        builder.Services.AddHttpLogging(options =>
        {
            options.LoggingFields = HttpLoggingFields.RequestMethod | HttpLoggingFields.RequestPath
                | HttpLoggingFields.ResponseStatusCode | HttpLoggingFields.Duration;
            options.RequestHeaders.Clear();
            options.ResponseHeaders.Clear();
            options.CombineLogs = true;
        });
        return builder;
    }

    public static WebApplication UseEchainRequestLogging(this WebApplication app)
    {
        app.UseHttpLogging();
        return app;
    }
}
