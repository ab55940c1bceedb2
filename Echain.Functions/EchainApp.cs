using Echain.Core.Projection;

namespace Echain.Functions;

/// <summary>Builds the app; tests and the benchmark call this to run the real thing on a free port.</summary>
public static class EchainApp
{
    public static async Task<WebApplication> CreateAsync(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddEchainCore();
        builder.AddEchainStandalone();
        configure?.Invoke(builder);

        var app = builder.Build();
        // Schema first: nothing may read or project against a database that is behind the code.
        await app.Services.GetRequiredService<DatabaseMigrator>().MigrateAsync(CancellationToken.None);
        app.MapEchainReads();
        app.MapEchainStandalone();
        return app;
    }
}
