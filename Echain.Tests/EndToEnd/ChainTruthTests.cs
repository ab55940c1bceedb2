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
    private static readonly DateTimeOffset Start = new(2027, 6, 1, 20, 0, 0, TimeSpan.Zero);
    private static readonly string[] TicketEvents = ["EventCreated", "EventUpdated", "TicketPurchased", "Transfer", "TicketUsed"];

    private readonly EchainTestHost _host = new();

    public async Task InitializeAsync()
    {
        // The app accepts each subscription's own secret, as it must for real CDP subscriptions.
        for (var i = 0; i <= TicketEvents.Length; i++) _host.Settings[$"Coinbase:WebhookSecrets:{i}"] = $"subscription-secret-{i}";
        await _host.InitializeAsync();
    }

    [Fact]
    public async Task After_a_scripted_scenario_delivered_duplicated_and_shuffled_the_API_equals_the_chain()
    {
        var ledger = _host.Ledger;
        var deployment = _host.Deployment;
        CdpSubscription[] subscriptions =
        [
            .. TicketEvents.Select((name, i) => new CdpSubscription(TestLedger.Network, deployment.TicketContract, name, $"subscription-secret-{i}")),
            new(TestLedger.Network, deployment.PaymentToken, "Transfer", $"subscription-secret-{TicketEvents.Length}"),
        ];
        await using var emulator = new CdpEmulator(new EmulatorOptions
        {
            RpcUrl = _host.Anvil.RpcUrl, WebhookUrl = new Uri(_host.BaseAddress, "api/webhooks/coinbase"), Subscriptions = subscriptions,
            FromBlock = 0, PollInterval = TimeSpan.FromMilliseconds(50), DuplicateRate = 0.5, ShuffleWindow = 8, Seed = 9,
        });
        await emulator.StartAsync();

        var wallets = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => ledger.NewWalletAsync()));
        var (alice, bob, fan1, fan2, fan3, broke) = (wallets[0], wallets[1], wallets[2], wallets[3], wallets[4], wallets[5]);
        var concert = (await ledger.CreateEventAsync(alice, "Concert", "Hall A", Start, Start.AddHours(3), 3, 20_000_000)).EventId;
        var talk = (await ledger.CreateEventAsync(bob, "Talk", "Room 2", Start.AddDays(1), Start.AddDays(1).AddHours(1), 10, 5_000_000)).EventId;
        var free = (await ledger.CreateEventAsync(alice, "Open day", "Lobby", Start.AddDays(2), Start.AddDays(2).AddHours(8), 5, 0)).EventId;
        await ledger.UpdateEventAsync(bob, talk, "Talk (moved)", "Room 3", Start.AddDays(1), Start.AddDays(1).AddHours(2), 6_000_000);

        var t1 = (await ledger.BuyAsync(fan1, concert, "VIP")).TokenId;
        var t2 = (await ledger.BuyAsync(fan2, concert, "GA")).TokenId;
        var t3 = (await ledger.BuyAsync(fan3, concert, "GA")).TokenId;
        var t4 = (await ledger.BuyAsync(fan1, talk, "GA")).TokenId;
        var t5 = (await ledger.BuyAsync(fan2, free, "GA")).TokenId;
        // Refused by the contract, so nothing is delivered: sold out, and a buyer who has no USDC.
        await Assert.ThrowsAnyAsync<Exception>(() => ledger.BuyAsync(fan2, concert, "GA"));
        await broke.ApproveTicketsAsync(6_000_000);
        await Assert.ThrowsAnyAsync<Exception>(() => broke.PurchaseAsync(talk, "GA"));

        await ledger.FundAsync(fan3, 100_000_000);
        await ledger.FundAsync(fan2, 50_000_000);
        await ledger.ResellAsync(fan1, fan3, t1, 35_000_000);
        await ledger.ResellAsync(fan3, fan2, t1, 40_000_000);
        await ledger.ResellAsync(fan2, fan1, t5, 1_000_000);
        await ledger.CheckInAsync(alice, t2);
        await ledger.CheckInAsync(bob, t4);
        await ledger.PayUsdcAsync(alice, broke.Address, 7_000_000);
        await ledger.PayUsdcAsync(fan2, bob.Address, 3_000_000);

        var head = (long)(await _host.Anvil.Reader().Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
        await emulator.CaughtUpAsync(head);
        await _host.DrainedAsync();

        var comparison = await new ApiVersusChain(_host.Http, _host.BaseAddress, ledger.State, deployment)
            .CompareAsync(wallets.Select(w => w.Address));
        Assert.Empty(comparison.Differences);
        Assert.Equal((3, 5), (comparison.Events, comparison.Tickets)); // it compared everything, not nothing
        Assert.True(comparison.Wallets >= wallets.Length);
        Assert.True(emulator.Counts.Duplicated > 0, $"the emulator duplicated nothing: {emulator.Counts}");
        Assert.Equal(0, emulator.Counts.FailedPermanently);

        // A few of the chain's answers spelled out, so the comparison cannot pass by both sides being empty.
        Assert.Equal(fan2.Address, await ledger.State.OwnerOfAsync(t1));
        Assert.Equal(new BigInteger(3), (await ledger.State.EventAsync(concert)).Sold);
        Assert.True(await ledger.State.IsUsedAsync(t2));
        Assert.Equal(new BigInteger(7_000_000), await ledger.State.UsdcBalanceAsync(broke.Address));
        Assert.Equal(t1 + 4, t5);
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();
}
