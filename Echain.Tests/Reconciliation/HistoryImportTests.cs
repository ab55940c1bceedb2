using Echain.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Echain.Tests.Reconciliation;

/// <summary>
/// A chain that already holds a scenario: one app learned it from webhooks, a second app with a fresh database and no
/// webhook at all imports it from the chain. Both must show exactly the same thing, and it must be the chain's truth.
/// </summary>
public sealed class HistoryImportTests : IAsyncLifetime
{
    private readonly EchainTestHost _webhooks = new();
    private EchainTestHost? _importer;

    public async Task InitializeAsync()
    {
        ChainScenario.AcceptSubscriptionSecrets(_webhooks);
        await _webhooks.InitializeAsync();
    }

    [Fact]
    public async Task A_fresh_database_imports_the_history_and_ends_equal_to_the_webhook_driven_state()
    {
        await using var emulator = _webhooks.Emulator(duplicateRate: 0.3, seed: 3);
        await emulator.StartAsync();
        var scenario = await ChainScenario.RunAsync(_webhooks.Ledger);
        await emulator.CaughtUpAsync(scenario.Head);
        await _webhooks.DrainedAsync();
        var fromWebhooks = await _webhooks.SnapshotAsync(scenario);

        _importer = EchainTestHost.OnNode(_webhooks.Anvil).Reconciling(confirmations: 0);
        await _importer.InitializeAsync();
        await _importer.ReconciledAsync(scenario.Head);

        Assert.Equal(fromWebhooks, await _importer.SnapshotAsync(scenario));
        var comparison = await _importer.Comparer().CompareAsync(scenario.Wallets.Select(w => w.Address));
        Assert.Empty(comparison.Differences);
        Assert.Equal((3, 5), (comparison.Events, comparison.Tickets));

        var chain = await _importer.ChainAsync();
        var import = chain.GetProperty("reconciler").GetProperty("import");
        Assert.True(import.GetProperty("done").GetBoolean(), chain.GetRawText());
        Assert.Equal(await AppliedLogsAsync(_webhooks), chain.Count("imported")); // every log the webhooks applied, none twice
        Assert.Equal(0, chain.Count("healed"));

        // A restart resumes from the checkpoint: nothing is imported again, and the import stays done.
        await _importer.StopAsync();
        await _importer.StartAsync();
        await _webhooks.Anvil.MineAsync(1);
        await _importer.ReconciledAsync(scenario.Head + 1);
        var resumed = await _importer.ChainAsync();
        Assert.Equal(chain.Count("imported"), resumed.Count("imported"));
        Assert.Equal(import.GetProperty("targetBlock").GetInt64(), resumed.GetProperty("reconciler").GetProperty("import").GetProperty("targetBlock").GetInt64());
        Assert.Equal(fromWebhooks, await _importer.SnapshotAsync(scenario));
    }

    private static async Task<long> AppliedLogsAsync(EchainTestHost host)
    {
        await using var command = host.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand("SELECT count(*) FROM applied_logs");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task DisposeAsync()
    {
        if (_importer is not null) await _importer.DisposeAsync();
        await _webhooks.DisposeAsync();
    }
}
