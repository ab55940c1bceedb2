using System.Text.Json;
using Echain.Tests.Infrastructure;
using static Echain.Tests.Subgraph.FrontendQueries;
using static Echain.Tests.Subgraph.SubgraphScenario;

namespace Echain.Tests.Subgraph;

/// <summary>
/// The frontend's three subgraph queries, verbatim (<see cref="FrontendQueries"/>), against the real app after <see cref="SubgraphScenario"/>: each
/// answer equals what the REST reads say about the same events, tickets and holders.
/// </summary>
[Collection(SubgraphScenario.Collection)]
public sealed class FrontendQueryTests(SubgraphScenario scenario)
{
    private EchainTestHost Host => scenario.Host;

    [Fact]
    public async Task GetEvent_answers_the_event_and_its_tickets_as_the_REST_reads_do()
    {
        foreach (var created in new[] { scenario.Night, scenario.Show })
        {
            var id = Text(created.EventId);
            var graph = (await Host.QueryAsync(GetEvent, new { id })).GetProperty("event");
            var rest = await Host.GetJsonAsync($"api/events/{id}");

            Assert.Equal(id, graph.GetProperty("id").GetString());
            Assert.Equal(rest.GetProperty("creator").GetString(), graph.GetProperty("creator").GetString());
            Assert.Equal(scenario.Organizer.Address, graph.GetProperty("creator").GetString());
            foreach (var field in new[] { "title", "description", "maxTickets", "ticketPrice" })
                Assert.Equal(rest.GetProperty(field).GetString(), graph.GetProperty(field).GetString());
            Assert.Equal(Unix(rest.GetProperty("startTime").GetString()!).ToString(), graph.GetProperty("startTime").GetString());
            Assert.Equal(Unix(rest.GetProperty("endTime").GetString()!).ToString(), graph.GetProperty("endTime").GetString());

            var restTickets = (await Host.GetJsonAsync($"api/events/{id}/tickets")).GetProperty("items").EnumerateArray().ToList();
            var graphTickets = graph.GetProperty("tickets").EnumerateArray().ToList();
            Assert.Equal(restTickets.Count, graphTickets.Count);
            Assert.NotEmpty(graphTickets);
            foreach (var (r, g) in restTickets.Zip(graphTickets))
            {
                Assert.Equal(r.GetProperty("tokenId").GetString(), g.GetProperty("id").GetString());
                Assert.Equal(r.GetProperty("tokenId").GetString(), g.GetProperty("tokenId").GetString());
                Assert.Equal(r.GetProperty("owner").GetString(), g.GetProperty("owner").GetString());
                Assert.Equal(r.GetProperty("ticketType").GetString(), g.GetProperty("ticketType").GetString());
                Assert.Equal(r.GetProperty("price").GetString(), g.GetProperty("price").GetString());
                Assert.Equal(r.GetProperty("isUsed").GetBoolean(), g.GetProperty("isUsed").GetBoolean());
            }
        }

        // What happened, said plainly: Dave holds Alice's resold GA ticket, Bob's VIP ticket is used.
        var night = (await Host.QueryAsync(GetEvent, new { id = Text(scenario.Night.EventId) })).GetProperty("event");
        Assert.Equal(
            [(Text(scenario.AliceTicket.TokenId), scenario.Dave.Address, "GA", false), (Text(scenario.BobTicket.TokenId), scenario.Bob.Address, "VIP", true)],
            night.GetProperty("tickets").EnumerateArray()
                .Select(t => (t.GetProperty("id").GetString(), t.GetProperty("owner").GetString(), t.GetProperty("ticketType").GetString(),
                    t.GetProperty("isUsed").GetBoolean())));
    }

    [Fact]
    public async Task GetUserTickets_answers_each_holders_tickets_as_the_REST_read_does()
    {
        foreach (var holder in new[] { scenario.Alice, scenario.Bob, scenario.Carol, scenario.Dave })
        {
            var graph = (await Host.QueryAsync(GetUserTickets, new { owner = holder.Address })).GetProperty("tickets").EnumerateArray().ToList();
            var rest = (await Host.GetJsonAsync($"api/users/{holder.Address}/tickets")).GetProperty("items").EnumerateArray().ToList();
            Assert.Equal(rest.Count, graph.Count);
            foreach (var (r, g) in rest.Zip(graph))
            {
                Assert.Equal(r.GetProperty("tokenId").GetString(), g.GetProperty("id").GetString());
                Assert.Equal(r.GetProperty("tokenId").GetString(), g.GetProperty("tokenId").GetString());
                Assert.Equal(r.GetProperty("ticketType").GetString(), g.GetProperty("ticketType").GetString());
                Assert.Equal(r.GetProperty("price").GetString(), g.GetProperty("price").GetString());
                Assert.Equal(r.GetProperty("isUsed").GetBoolean(), g.GetProperty("isUsed").GetBoolean());
                var (restEvent, graphEvent) = (r.GetProperty("event"), g.GetProperty("event"));
                Assert.Equal(restEvent.GetProperty("eventId").GetString(), graphEvent.GetProperty("id").GetString());
                Assert.Equal(restEvent.GetProperty("title").GetString(), graphEvent.GetProperty("title").GetString());
                Assert.Equal(Unix(restEvent.GetProperty("startTime").GetString()!).ToString(), graphEvent.GetProperty("startTime").GetString());
                Assert.Equal(Unix(restEvent.GetProperty("endTime").GetString()!).ToString(), graphEvent.GetProperty("endTime").GetString());
            }
        }

        // The holder as a checksummed address is the same holder (Bytes compare lowercase).
        var mixed = "0x" + scenario.Dave.Address[2..].ToUpperInvariant();
        var dave = (await Host.QueryAsync(GetUserTickets, new { owner = mixed })).GetProperty("tickets");
        Assert.Equal(Text(scenario.AliceTicket.TokenId), Assert.Single(dave.EnumerateArray()).GetProperty("id").GetString());
        Assert.Empty((await Host.QueryAsync(GetUserTickets, new { owner = scenario.Alice.Address })).GetProperty("tickets").EnumerateArray());
    }

    [Fact]
    public async Task GetEventWithTickets_lists_only_the_unused_tickets_as_the_REST_read_filtered_would()
    {
        var id = Text(scenario.Night.EventId);
        var graph = (await Host.QueryAsync(GetEventWithTickets, new { id })).GetProperty("event");
        var unused = (await Host.GetJsonAsync($"api/events/{id}/tickets")).GetProperty("items").EnumerateArray()
            .Where(t => !t.GetProperty("isUsed").GetBoolean())
            .Select(t => (t.GetProperty("tokenId").GetString(), t.GetProperty("owner").GetString(), t.GetProperty("price").GetString()))
            .ToList();

        Assert.Equal(("GraphQL night", id), (graph.GetProperty("title").GetString(), graph.GetProperty("id").GetString()));
        Assert.Equal(unused, graph.GetProperty("tickets").EnumerateArray()
            .Select(t => (t.GetProperty("id").GetString(), t.GetProperty("owner").GetString(), t.GetProperty("price").GetString())));
        Assert.Equal([(Text(scenario.AliceTicket.TokenId), scenario.Dave.Address, "5000000")], unused);
    }

    [Fact]
    public async Task An_unknown_event_is_null_and_an_id_that_is_not_a_uint256_is_an_error_naming_it()
    {
        Assert.Equal(JsonValueKind.Null, (await Host.QueryAsync(GetEvent, new { id = "987654321" })).GetProperty("event").ValueKind);
        var (_, messages, body) = await Host.ErrorsAsync(GetEvent, new { id = "not-a-number" });
        Assert.Contains(messages, m => m.Contains("`id` must be an id", StringComparison.Ordinal));
        Assert.DoesNotContain("   at ", body.GetRawText(), StringComparison.Ordinal);
    }
}
