using Echain.Demo.Emulator;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.LocalChain;

/// <summary>The misbehaviour a receiver must survive, on demand: drops, duplicates, reordering.</summary>
public sealed class EmulatorChaosTests(AnvilServer anvil) : IClassFixture<AnvilServer>
{
    [Fact]
    public async Task Drop_rate_one_sends_nothing_and_counts_every_drop()
    {
        var scenario = await PurchaseScenario.ReadyAsync(anvil);
        var (_, _, requests, counts) = await scenario.PurchaseThroughEmulatorAsync(anvil,
            [scenario.Tickets("t"), scenario.Usdc("u")], o => o with { DropRate = 1 });

        Assert.Empty(requests);
        Assert.Equal((3L, 3L, 0L), (counts.LogsSeen, counts.Dropped, counts.Delivered));
    }

    [Fact]
    public async Task Duplicate_rate_one_sends_every_delivery_twice_under_one_event_id()
    {
        var scenario = await PurchaseScenario.ReadyAsync(anvil);
        var (_, _, requests, counts) = await scenario.PurchaseThroughEmulatorAsync(anvil,
            [scenario.Tickets("t"), scenario.Usdc("u")], o => o with { DuplicateRate = 1 });

        var events = requests.GroupBy(r => r.EventId).ToList();
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal(2, e.Count()));
        Assert.All(events, e => Assert.Single(e.Select(r => Convert.ToHexString(r.Body)).Distinct()));
        Assert.Equal([0, 1, 2], events.Select(e => e.First().Log.LogIndex).Order());
        Assert.Equal((3L, 6L), (counts.Duplicated, counts.Delivered));
    }

    [Fact]
    public async Task A_shuffle_window_reorders_yet_delivers_every_log_once_and_a_seed_repeats_the_order()
    {
        var scenario = await PurchaseScenario.ReadyAsync(anvil, purchases: 3);
        var first = (long)(await anvil.Reader().Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value + 1;
        var chainOrder = new List<(string, int)>();
        for (var i = 0; i < 3; i++)
        {
            var (receipt, _) = await scenario.Buyer.PurchaseAsync(scenario.EventId, "GA");
            chainOrder.AddRange(receipt.Logs.Select(l => (l.TransactionHash, (int)l.LogIndex.Value)));
        }
        var last = first + 2;

        // One sender at a time, so arrival order is release order; the same seed twice.
        async Task<List<(string, int)>> ArrivalsAsync()
        {
            await using var capture = await WebhookCapture.StartAsync();
            var options = scenario.EmulatorTo(anvil, capture.Url, scenario.Tickets("t"), scenario.Usdc("u"));
            await using var emulator = new CdpEmulator(options with
            {
                FromBlock = first, ShuffleWindow = 9, Seed = 7, MaxConcurrentDeliveries = 1,
            });
            await emulator.StartAsync();
            await emulator.CaughtUpAsync(last);
            return capture.Requests.Select(r => r.Log).ToList();
        }

        var arrivals = await ArrivalsAsync();
        Assert.Equal(9, chainOrder.Count);
        Assert.Equal(chainOrder.Order(), arrivals.Order());
        Assert.NotEqual(chainOrder, arrivals);
        Assert.Equal(arrivals, await ArrivalsAsync());
    }
}
