using Echain.Demo.Chain;
using Echain.Demo.Emulator;
using Echain.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace Echain.Tests.LocalChain;

/// <summary>Restarts on either side: the emulator resumes from its checkpoint; a node going away stops nothing.</summary>
public sealed class EmulatorRestartTests(AnvilServer anvil) : IClassFixture<AnvilServer>, IDisposable
{
    private readonly string _checkpoint = Path.Combine(Path.GetTempPath(), $"echain-cdp-{Guid.NewGuid():N}.checkpoint");

    [Fact]
    public async Task A_restarted_emulator_continues_after_the_last_block_it_handed_over()
    {
        var scenario = await PurchaseScenario.ReadyAsync(anvil, purchases: 2);
        await using var capture = await WebhookCapture.StartAsync();
        var options = scenario.EmulatorTo(anvil, capture.Url, scenario.Tickets("t", "TicketPurchased")) with { CheckpointFile = _checkpoint };

        var first = new CdpEmulator(options);
        await first.StartAsync();
        var (before, _) = await scenario.Buyer.PurchaseAsync(scenario.EventId, "GA");
        await first.CaughtUpAsync((long)before.BlockNumber.Value);
        await first.DisposeAsync();
        Assert.Equal(first.NextBlock, long.Parse(await File.ReadAllTextAsync(_checkpoint)));

        // Made while no emulator runs; a fresh subscription (head + 1) would never report it.
        var (during, _) = await scenario.Buyer.PurchaseAsync(scenario.EventId, "GA");
        await using var second = new CdpEmulator(options);
        await second.StartAsync();
        Assert.Equal(first.NextBlock, second.NextBlock);
        await second.CaughtUpAsync((long)during.BlockNumber.Value);

        Assert.Equal([before.TransactionHash, during.TransactionHash], capture.Requests.Select(r => r.Log.Transaction));
        Assert.Equal(1, second.Counts.Delivered);
    }

    [Fact]
    public async Task A_delivery_still_failing_when_the_emulator_stops_is_delivered_after_the_restart()
    {
        var scenario = await PurchaseScenario.ReadyAsync(anvil);
        await using var down = await WebhookCapture.StartAsync((_, _, _) => Task.FromResult(StatusCodes.Status503ServiceUnavailable));
        var options = scenario.EmulatorTo(anvil, down.Url, scenario.Tickets("t", "TicketPurchased")) with { CheckpointFile = _checkpoint };

        var first = new CdpEmulator(options);
        await first.StartAsync();
        var (receipt, _) = await scenario.Buyer.PurchaseAsync(scenario.EventId, "GA");
        await Eventually.TrueAsync(() => down.Requests.Count >= 2, "the failing delivery to be retried");
        await first.DisposeAsync();

        // The emulator read past the purchase, but its delivery never succeeded: a restart begins at its block.
        Assert.True(first.NextBlock > (long)receipt.BlockNumber.Value);
        Assert.Equal((long)receipt.BlockNumber.Value, long.Parse(await File.ReadAllTextAsync(_checkpoint)));

        await using var up = await WebhookCapture.StartAsync();
        await using var second = new CdpEmulator(options with { WebhookUrl = up.Url });
        await second.StartAsync();
        await second.CaughtUpAsync((long)receipt.BlockNumber.Value);
        Assert.Equal(receipt.TransactionHash, Assert.Single(up.Requests).Log.Transaction);
        // Once delivered, the next poll moves the checkpoint past the block.
        await Eventually.TrueAsync(async () => long.Parse(await File.ReadAllTextAsync(_checkpoint)) == second.NextBlock,
            "the checkpoint to pass the delivered block");
    }

    [Fact]
    public async Task A_node_that_goes_away_is_retried_and_what_happens_after_its_return_is_delivered()
    {
        // Subscribed to the fixed local addresses before anything is deployed there; the node starts
        // over empty, so block 1 is the emulator's first.
        anvil.Stop();
        anvil.Start();
        var local = EchainDeployment.Local;
        await using var capture = await WebhookCapture.StartAsync();
        await using var emulator = new CdpEmulator(new EmulatorOptions
        {
            RpcUrl = anvil.RpcUrl, WebhookUrl = capture.Url, FromBlock = 1, PollInterval = TimeSpan.FromMilliseconds(50),
            Subscriptions = [new CdpSubscription(EmulatorOptions.DefaultNetwork, local.TicketContract, "TicketPurchased", "s")],
        });
        await emulator.StartAsync();

        anvil.Stop();
        await Eventually.TrueAsync(() => emulator.Counts.RpcErrors >= 2, "the emulator to meet the stopped node");
        anvil.Start();
        Assert.Equal(local, await EchainDeployment.EnsureLocalAsync(anvil.RpcUrl));
        var scenario = await PurchaseScenario.ReadyAsync(anvil, deployment: local);
        var (receipt, _) = await scenario.Buyer.PurchaseAsync(scenario.EventId, "GA");

        await emulator.CaughtUpAsync((long)receipt.BlockNumber.Value);
        Assert.Equal(receipt.TransactionHash, Assert.Single(capture.Requests).Log.Transaction);
        Assert.Equal(1, emulator.Counts.Delivered);
    }

    public void Dispose() => File.Delete(_checkpoint);
}
