using Echain.Tests.Infrastructure;

namespace Echain.Tests.FunctionsHost;

/// <summary>
/// A standalone instance that projects (its ledger, webhooks and queue) and a Functions host reading the same PostgreSQL:
/// the pair the forwarded-route tests compare. Subclasses set the standalone's settings in <see cref="Configure"/>.
/// </summary>
public abstract class TwoHostsOneDatabase : IAsyncLifetime
{
    protected EchainTestHost Standalone { get; } = new();
    protected FunctionsTestHost Functions { get; private set; } = null!;

    /// <summary>Before the standalone instance starts; with <see cref="FunctionsShareSettings"/> the Functions host gets them too.</summary>
    protected virtual void Configure(IDictionary<string, string?> settings) { }

    protected virtual bool FunctionsShareSettings => false;

    public async Task InitializeAsync()
    {
        Configure(Standalone.Settings);
        await Standalone.InitializeAsync();
        Functions = new FunctionsTestHost();
        if (FunctionsShareSettings)
            foreach (var (key, value) in Standalone.Settings) Functions.Settings[key] = value;
        Functions.Settings["ConnectionStrings:Postgres"] = Standalone.Postgres.ConnectionString(Standalone.DatabaseName);
        await Functions.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Functions.DisposeAsync();
        await Standalone.DisposeAsync();
    }
}
