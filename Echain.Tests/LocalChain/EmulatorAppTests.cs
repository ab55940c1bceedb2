using Echain.Demo.Emulator;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.LocalChain;

/// <summary>The whole local path: a transaction on anvil, the emulator's signed deliveries, the real app's reads.</summary>
public sealed class EmulatorAppTests(AnvilServer anvil) : IClassFixture<AnvilServer>
{
    [Fact]
    public async Task A_purchase_on_chain_shows_in_the_apps_reads_through_duplicated_and_shuffled_deliveries()
    {
        var scenario = await PurchaseScenario.ReadyAsync(anvil);
        await using var host = new EchainTestHost();
        host.Settings["Echain:TicketContracts:0"] = scenario.Deployment.TicketContract;
        host.Settings["Echain:PaymentTokens:0"] = scenario.Deployment.PaymentToken;
        await host.InitializeAsync();

        // From the deployment on, so the app learns of the event from the chain as well.
        var options = scenario.EmulatorTo(anvil, host.Url("api/webhooks/coinbase"),
            scenario.Tickets(EchainTestHost.Secret), scenario.Usdc(EchainTestHost.Secret));
        await using var emulator = new CdpEmulator(options with { FromBlock = 1, DuplicateRate = 0.5, ShuffleWindow = 4, Seed = 11 });
        await emulator.StartAsync();
        var (receipt, tokenId) = await scenario.Buyer.PurchaseAsync(scenario.EventId, "VIP");
        await emulator.CaughtUpAsync((long)receipt.BlockNumber.Value);
        await host.DrainedAsync();

        var view = await host.GetJsonAsync($"api/events/{scenario.EventId}");
        Assert.Equal(("Base Camp", 1L), (view.GetProperty("title").GetString(), view.GetProperty("ticketsSold").GetInt64()));
        var tickets = (await host.GetJsonAsync($"api/users/{scenario.Buyer.Address}/tickets")).GetProperty("items");
        Assert.Equal([tokenId.ToString()], tickets.EnumerateArray().Select(t => t.GetProperty("tokenId").GetString()));
        // Every delivery was accepted at once: the signatures are the app's scheme and its secret.
        Assert.Equal((0L, 0L), (emulator.Counts.Retries, emulator.Counts.FailedPermanently));
        Assert.True(emulator.Counts.Duplicated > 0, "the seed duplicates at least one delivery");
    }

    [Fact]
    public async Task The_contracts_refresh_logs_are_delivered_as_CDP_would_and_acknowledged_while_the_projected_ones_apply()
    {
        var scenario = await PurchaseScenario.ReadyAsync(anvil);
        await using var host = new EchainTestHost();
        host.Settings["Echain:TicketContracts:0"] = scenario.Deployment.TicketContract;
        host.Settings["Echain:PaymentTokens:0"] = scenario.Deployment.PaymentToken;
        await host.InitializeAsync();
        var options = scenario.EmulatorTo(anvil, host.Url("api/webhooks/coinbase"),
            scenario.Tickets(EchainTestHost.Secret), scenario.Usdc(EchainTestHost.Secret));
        await using var emulator = new CdpEmulator(options with { FromBlock = 1, ShuffleWindow = 4, Seed = 3 });
        await emulator.StartAsync();

        // Every refresh log the contract emits: the base change, an update and a check-in of a sold event.
        var (_, tokenId) = await scenario.Buyer.PurchaseAsync(scenario.EventId, "VIP");
        var based = await scenario.Organizer.SetTicketBaseUriAsync(scenario.EventId, "https://tickets.example/api/tickets/");
        var start = DateTimeOffset.UtcNow.AddDays(31);
        await scenario.Organizer.UpdateEventAsync(scenario.EventId, "Base Camp (moved)", "Live", start, start.AddHours(3), PurchaseScenario.Price);
        var checkIn = await scenario.Organizer.UseTicketAsync(tokenId);
        Assert.Equal(2, based.Logs.Length);
        await emulator.CaughtUpAsync((long)checkIn.BlockNumber.Value);
        await host.DrainedAsync();

        var view = await host.GetJsonAsync($"api/events/{scenario.EventId}");
        Assert.Equal(("Base Camp (moved)", 1L), (view.GetProperty("title").GetString(), view.GetProperty("ticketsSold").GetInt64()));
        var ticket = Assert.Single((await host.GetJsonAsync($"api/events/{scenario.EventId}/tickets")).GetProperty("items").EnumerateArray());
        Assert.True(ticket.GetProperty("isUsed").GetBoolean());
        // Every log was delivered and answered 202 at once: an acknowledged signal is never retried or refused.
        Assert.Equal((0L, 0L), (emulator.Counts.Retries, emulator.Counts.FailedPermanently));
        Assert.Equal(emulator.Counts.LogsSeen, emulator.Counts.Delivered);
    }
}
