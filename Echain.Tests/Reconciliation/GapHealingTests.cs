using Echain.Tests.Infrastructure;

namespace Echain.Tests.Reconciliation;

/// <summary>
/// The emulator drops 30 % of the deliveries of a whole scenario: the API has holes. Once the blocks are final the
/// reconciler finds every missing log on the chain, applies it through the queue and projector, and counts it.
/// </summary>
public sealed class GapHealingTests : IAsyncLifetime
{
    // More blocks than the scenario mines: nothing is final (and nothing healed) until the test mines them.
    private const int Confirmations = 300;
    private readonly EchainTestHost _host = new EchainTestHost().Reconciling(Confirmations, TimeSpan.FromMilliseconds(300));

    public async Task InitializeAsync()
    {
        ChainScenario.AcceptSubscriptionSecrets(_host);
        await _host.InitializeAsync();
    }

    [Fact]
    public async Task Dropped_deliveries_are_healed_from_the_chain_once_final_and_the_healed_count_equals_the_drops()
    {
        await using var emulator = _host.Emulator(dropRate: 0.3, duplicateRate: 0.2, seed: 5);
        await emulator.StartAsync();
        var scenario = await ChainScenario.RunAsync(_host.Ledger);
        await emulator.CaughtUpAsync(scenario.Head);
        await _host.DrainedAsync();
        var dropped = emulator.Counts.Dropped;
        Assert.True(dropped > 0, $"the emulator dropped nothing: {emulator.Counts}");

        var wallets = scenario.Wallets.Select(w => w.Address).ToList();
        var holed = await _host.Comparer().CompareAsync(wallets);
        Assert.True(holed.Differences.Count > 0 || holed.Events < 3 || holed.Tickets < 5, "the drops left no visible hole");
        var waiting = await _host.ChainAsync();
        Assert.Equal(0, waiting.Count("healed")); // the scenario's blocks are not final yet

        await _host.Anvil.MineAsync(Confirmations);
        await _host.ReconciledAsync(scenario.Head);

        var healed = await _host.Comparer().CompareUntilEqualAsync(wallets, TimeSpan.FromSeconds(20));
        Assert.Empty(healed.Differences);
        Assert.Equal((3, 5), (healed.Events, healed.Tickets));
        var chain = await _host.ChainAsync();
        Assert.Equal(dropped, chain.Count("healed"));
        Assert.Equal(0, chain.Count("rolledBack"));
        Assert.True(chain.Long("reconciled") >= scenario.Head, chain.GetRawText());

        // Everything the scenario did is now final, and says so.
        var tickets = await _host.GetJsonAsync($"api/events/{scenario.Concert}/tickets");
        Assert.All(tickets.GetProperty("items").EnumerateArray(), t => Assert.True(t.GetProperty("final").GetBoolean(), t.GetRawText()));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();
}
