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
        var builder = WebApplication.CreateBuilder(args);
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
}
