using Echain.Core.Subgraph;
using static Echain.Tests.Subgraph.SubgraphSchemaHarness;

namespace Echain.Tests.Subgraph;

/// <summary>One read per level of a query, not one per row: the references and nested collections are batched.</summary>
public sealed class SchemaBatchingTests
{
    private readonly SubgraphSchemaHarness _harness = new();

    public SchemaBatchingTests()
    {
        _harness.Reads.Events.AddRange([Event("1", "Rock"), Event("2", "Jazz"), Event("3", "Empty")]);
        _harness.Reads.Tickets.AddRange([Ticket("10", "1"), Ticket("11", "1", isUsed: true), Ticket("20", "2")]);
    }

    [Fact]
    public async Task The_events_of_a_list_of_tickets_are_one_read_with_every_id()
    {
        var answer = await _harness.RunAsync("{ tickets { id event { id title } } }");

        Assert.Empty(Errors(answer));
        Assert.Equal(["TicketsAsync", "EventsByIdAsync"], _harness.Reads.Calls.Select(c => c.Method));
        Assert.Equal(["1", "2"], (string[])Assert.Single(_harness.Reads.ArgumentsOf("EventsByIdAsync")));
        var titles = answer.GetProperty("data").GetProperty("tickets").EnumerateArray()
            .Select(t => (t.GetProperty("id").GetString(), t.GetProperty("event").GetProperty("title").GetString()));
        Assert.Equal([("10", "Rock"), ("11", "Rock"), ("20", "Jazz")], titles);
    }

    [Fact]
    public async Task The_tickets_of_a_list_of_events_are_one_read_and_an_event_without_any_gets_an_empty_list()
    {
        var answer = await _harness.RunAsync("{ events { id tickets { id } } }");

        Assert.Empty(Errors(answer));
        Assert.Equal(["EventsAsync", "TicketsOfEventsAsync"], _harness.Reads.Calls.Select(c => c.Method));
        var (ids, query) = ((string[], SubgraphCollection))Assert.Single(_harness.Reads.ArgumentsOf("TicketsOfEventsAsync"));
        Assert.Equal(["1", "2", "3"], ids);
        Assert.Equal(SubgraphCollection.Default, query);
        var tickets = answer.GetProperty("data").GetProperty("events").EnumerateArray()
            .Select(e => string.Join(",", e.GetProperty("tickets").EnumerateArray().Select(t => t.GetProperty("id").GetString())));
        Assert.Equal(["10,11", "20", ""], tickets);
    }

    [Fact]
    public async Task Nested_collections_with_different_arguments_are_separate_batches_and_equal_ones_share_one()
    {
        var answer = await _harness.RunAsync("""
            { events {
                unused: tickets(where: { isUsed: false }) { id }
                sameAgain: tickets(where: { isUsed: false }) { id }
                used: tickets(where: { isUsed: true }, first: 5) { id } } }
            """);

        Assert.Empty(Errors(answer));
        var batches = _harness.Reads.ArgumentsOf("TicketsOfEventsAsync").Cast<(string[] Ids, SubgraphCollection Query)>().ToArray();
        Assert.Equal(2, batches.Length);
        Assert.All(batches, b => Assert.Equal(["1", "2", "3"], b.Ids));
        Assert.Equal([false, true], batches.Select(b => (bool)b.Query.Where!["isUsed"]!).Order());
        Assert.Equal([5, 100], batches.Select(b => b.Query.First).Order());
    }

    [Fact]
    public async Task Each_level_is_one_read_down_a_chain_of_references()
    {
        _harness.Reads.Transactions.AddRange([
            new SubgraphTransaction("0x01-0", "1", "10", "0xb", "0xc", "5000000", "purchase", "1700000001"),
            new SubgraphTransaction("0x02-1", "2", "20", "0xb", "0xc", "5000000", "purchase", "1700000002"),
            new SubgraphTransaction("0x03-0", "1", null, "0xc", "0xc", "0", "check-in", "1700000003"),
        ]);

        var answer = await _harness.RunAsync("{ transactions { id ticket { id event { title tickets { id } } } event { id } } }");

        Assert.Empty(Errors(answer));
        // transactions; their tickets and events; the tickets' events; those events' tickets.
        var calls = _harness.Reads.Calls.Select(c => c.Method).ToArray();
        Assert.Equal(5, calls.Length);
        Assert.Equal("TransactionsAsync", calls[0]);
        Assert.Equal(["EventsByIdAsync", "TicketsByIdAsync"], calls[1..3].Order(StringComparer.Ordinal));
        Assert.Equal(["EventsByIdAsync", "TicketsOfEventsAsync"], calls[3..]);
        Assert.Equal(["1", "2"], (string[])_harness.Reads.ArgumentsOf("EventsByIdAsync")[1]);
        Assert.Equal(["10", "20"], (string[])Assert.Single(_harness.Reads.ArgumentsOf("TicketsByIdAsync")));
        var rows = answer.GetProperty("data").GetProperty("transactions");
        Assert.Equal(System.Text.Json.JsonValueKind.Null, rows[2].GetProperty("ticket").ValueKind);
        Assert.Equal("Jazz", rows[1].GetProperty("ticket").GetProperty("event").GetProperty("title").GetString());
    }

    [Fact]
    public async Task Aliased_lookups_by_id_are_one_read()
    {
        var answer = await _harness.RunAsync("""{ a: event(id: "1") { title } b: event(id: "2") { title } c: event(id: "404") { title } }""");

        Assert.Empty(Errors(answer));
        Assert.Equal(["1", "2", "404"], (string[])Assert.Single(_harness.Reads.ArgumentsOf("EventsByIdAsync")));
        Assert.Equal(System.Text.Json.JsonValueKind.Null, answer.GetProperty("data").GetProperty("c").ValueKind);
    }

    [Fact]
    public async Task Batches_are_not_shared_between_requests()
    {
        await _harness.RunAsync("{ tickets { event { id } } }");
        await _harness.RunAsync("{ tickets { event { id } } }");

        Assert.Equal(2, _harness.Reads.ArgumentsOf("EventsByIdAsync").Count);
    }
}
