using System.Numerics;
using Echain.Demo.Emulator;
using Echain.Demo.Feed;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.EndToEnd;

/// <summary>
/// The whole local chain as ./run.sh runs it: real transactions on a node, the CDP emulator delivering
/// them (one subscription and secret per contract and event, duplicating and shuffling), the real app.
/// Afterwards everything the API shows equals the contracts' own answers.
/// </summary>
public sealed class ChainTruthTests : IAsyncLifetime
{
    private readonly EchainTestHost _host = new();

    public async Task InitializeAsync()
    {
        ChainScenario.AcceptSubscriptionSecrets(_host);
        await _host.InitializeAsync();
    }

    [Fact]
    public async Task After_a_scripted_scenario_delivered_duplicated_and_shuffled_the_API_equals_the_chain()
    {
        var ledger = _host.Ledger;
        var deployment = _host.Deployment;
        await using var emulator = new CdpEmulator(new EmulatorOptions
        {
            RpcUrl = _host.Anvil.RpcUrl, WebhookUrl = new Uri(_host.BaseAddress, "api/webhooks/coinbase"),
            Subscriptions = ChainScenario.Subscriptions(deployment),
            FromBlock = 0, PollInterval = TimeSpan.FromMilliseconds(50), DuplicateRate = 0.5, ShuffleWindow = 8, Seed = 9,
        });
        await emulator.StartAsync();

        var scenario = await ChainScenario.RunAsync(ledger);
        var wallets = scenario.Wallets;
        var (fan2, broke) = (wallets[3], wallets[5]);
        await emulator.CaughtUpAsync(scenario.Head);
        await _host.DrainedAsync();

        var comparison = await new ApiVersusChain(_host.Http, _host.BaseAddress, ledger.State, deployment)
            .CompareAsync(wallets.Select(w => w.Address));
        Assert.Empty(comparison.Differences);
        Assert.Equal((3, 5), (comparison.Events, comparison.Tickets)); // it compared everything, not nothing
        Assert.True(comparison.Wallets >= wallets.Count);
        Assert.True(emulator.Counts.Duplicated > 0, $"the emulator duplicated nothing: {emulator.Counts}");
        Assert.Equal(0, emulator.Counts.FailedPermanently);

        // A few of the chain's answers spelled out, so the comparison cannot pass by both sides being empty.
        Assert.Equal(fan2.Address, await ledger.State.OwnerOfAsync(scenario.Tickets[0]));
        Assert.Equal(new BigInteger(3), (await ledger.State.EventAsync(scenario.Concert)).Sold);
        Assert.True(await ledger.State.IsUsedAsync(scenario.Tickets[1]));
        Assert.Equal(new BigInteger(7_000_000), await ledger.State.UsdcBalanceAsync(broke.Address));
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();
}
