using Echain.Tests.Subgraph;

namespace Echain.Tests.FunctionsHost;

/// <summary>
/// The forwarded graphql function: the custom handler answers the frontend's queries over the PostgreSQL a standalone
/// instance projects into, with the same answer as the standalone host.
/// </summary>
public sealed class FunctionsSubgraphTests : TwoHostsOneDatabase
{
    [Fact]
    public async Task The_frontends_queries_answer_on_the_Functions_host_as_on_the_standalone_host()
    {
        var organizer = await Standalone.Ledger.NewWalletAsync();
        var buyer = await Standalone.Ledger.NewWalletAsync();
        var created = await Standalone.Ledger.CreateEventAsync(organizer, "Functions night", "Forwarded", SubgraphScenario.NightStart,
            SubgraphScenario.NightStart.AddHours(2), 10, 2_000_000);
        await Standalone.Webhooks.SendAllAsync(created.Deliveries);
        var purchase = await Standalone.Ledger.BuyAsync(buyer, created.EventId, "Balcony");
        await Standalone.Webhooks.SendAllAsync(purchase.Deliveries);
        await Standalone.DrainedAsync();
        var id = SubgraphScenario.Text(created.EventId);
        await Infrastructure.Eventually.TrueAsync(async () =>
            (await Standalone.GetJsonAsync($"api/events/{id}/tickets")).GetProperty("items").GetArrayLength() == 1, "the purchase to be applied");

        foreach (var (query, variables) in new (string, object)[]
                 {
                     (FrontendQueries.GetEvent, new { id }),
                     (FrontendQueries.GetUserTickets, new { owner = buyer.Address }),
                     (FrontendQueries.GetEventWithTickets, new { id }),
                 })
        {
            var onFunctions = await Functions.QueryAsync(query, variables);
            var standalone = await Standalone.QueryAsync(query, variables);
            Assert.Equal(standalone.GetRawText(), onFunctions.GetRawText());
        }
        var ticket = (await Functions.QueryAsync(FrontendQueries.GetEvent, new { id })).GetProperty("event").GetProperty("tickets")[0];
        Assert.Equal((SubgraphScenario.Text(purchase.TokenId), buyer.Address, "Balcony"),
            (ticket.GetProperty("id").GetString(), ticket.GetProperty("owner").GetString(), ticket.GetProperty("ticketType").GetString()));
    }
}
