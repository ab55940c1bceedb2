using Echain.Core.Projection;
using Echain.Functions.AzureFunctions;
using Echain.Functions.Shared;
using Echain.Functions.Standalone;

namespace Echain.Functions;

/// <summary>Builds the app; tests and the benchmark call this to run the real thing on a free port.</summary>
public static class EchainApp
{
    /// <param name="configure">runs first: configuration sources, read by the registration below.</param>
    /// <param name="overrideServices">runs after registration: decorates or replaces Echain's services (the benchmark's timers).</param>
    public static async Task<WebApplication> CreateAsync(string[] args, Action<WebApplicationBuilder>? configure = null,
        Action<WebApplicationBuilder>? overrideServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = ContentRoot(args) });
        // The caller's configuration goes in first: registration reads settings (host mode, the SignalR
        // backplane switch), and a setting added afterwards would silently not apply.
        configure?.Invoke(builder);
        var host = EchainHost.Detect(builder.Configuration);
        builder.AddEchainShared(host);
        if (host.IsAzureFunctions) builder.AddEchainAzureFunctions(host);
        else builder.AddEchainStandalone();
        overrideServices?.Invoke(builder);

        var app = builder.Build();
        // Schema first: nothing may read or project against a database that is behind the code.
        await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);
        app.MapEchainShared(host);
        if (host.IsAzureFunctions) app.MapAzureFunctions();
        else app.MapEchainStandalone();
        return app;
    }

    /// <summary>
    /// The directory of the executable unless the caller chose one (<c>--contentRoot</c>, ASPNETCORE_/DOTNET_CONTENTROOT):
    /// appsettings.json (the logging levels among it) is loaded however the app is started. run.sh starts it from
    /// the repository root, the Functions host from the package; environment variables still override the file.
    /// </summary>
    private static string? ContentRoot(string[] args)
    {
        var chosen = args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("ASPNETCORE_CONTENTROOT"))
            || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_CONTENTROOT"));
        return chosen ? null : AppContext.BaseDirectory;
    }
}
