using System.Text.Json;
using Echain.Core.Subgraph;
using static Echain.Tests.Subgraph.SubgraphSchemaHarness;

namespace Echain.Tests.Subgraph;

/// <summary>The frontend's three queries, verbatim, validate and execute, each level one read.</summary>
public sealed class SchemaFrontendQueryTests
{
    private const string Owner = "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private readonly SubgraphSchemaHarness _harness = new();

    public SchemaFrontendQueryTests()
    {
        _harness.Reads.Events.AddRange([Event("1", "Rock"), Event("2", "Jazz")]);
        _harness.Reads.Tickets.AddRange([Ticket("10", "1"), Ticket("11", "1", isUsed: true), Ticket("20", "2")]);
    }

    [Fact]
    public async Task GetEvent_answers_the_event_with_its_tickets()
    {
        var answer = await _harness.RunAsync(FrontendQueries.GetEvent, """{"id": "1"}""");

        Assert.Empty(Errors(answer));
        var e = answer.GetProperty("data").GetProperty("event");
        var expected = Event("1", "Rock");
        Assert.Equal(
            [expected.Id, expected.Creator, expected.Title, expected.Description, expected.StartTime, expected.EndTime, expected.MaxTickets, expected.TicketPrice],
            new[] { "id", "creator", "title", "description", "startTime", "endTime", "maxTickets", "ticketPrice" }.Select(f => e.GetProperty(f).GetString()));
        Assert.Equal(["10", "11"], e.GetProperty("tickets").EnumerateArray().Select(t => t.GetProperty("id").GetString()));
        var ticket = e.GetProperty("tickets")[1];
        Assert.Equal((Owner, "11", "General", "5000000", true),
            (ticket.GetProperty("owner").GetString(), ticket.GetProperty("tokenId").GetString(), ticket.GetProperty("ticketType").GetString(),
             ticket.GetProperty("price").GetString(), ticket.GetProperty("isUsed").GetBoolean()));
        Assert.Equal(["EventsByIdAsync", "TicketsOfEventsAsync"], _harness.Reads.Calls.Select(c => c.Method));
    }

    [Fact]
    public async Task GetUserTickets_filters_by_the_owner_lowercased_and_loads_the_events_once()
    {
        var answer = await _harness.RunAsync(FrontendQueries.GetUserTickets, $$"""{"owner": "{{Owner.ToUpperInvariant().Replace("0X", "0x", StringComparison.Ordinal)}}"}""");

        Assert.Empty(Errors(answer));
        var query = (SubgraphCollection)Assert.Single(_harness.Reads.ArgumentsOf("TicketsAsync"));
        Assert.Equal(Owner, Assert.Single(query.Where!).Value);
        Assert.Equal(["1", "2"], (string[])Assert.Single(_harness.Reads.ArgumentsOf("EventsByIdAsync")));
        var rows = answer.GetProperty("data").GetProperty("tickets").EnumerateArray().ToArray();
        Assert.Equal(["Rock", "Rock", "Jazz"], rows.Select(t => t.GetProperty("event").GetProperty("title").GetString()));
        Assert.Equal("1700003600", rows[2].GetProperty("event").GetProperty("endTime").GetString());
    }

    [Fact]
    public async Task GetEventWithTickets_passes_the_nested_filter()
    {
        var answer = await _harness.RunAsync(FrontendQueries.GetEventWithTickets, """{"id": "2"}""");

        Assert.Empty(Errors(answer));
        var (ids, query) = ((string[], SubgraphCollection))Assert.Single(_harness.Reads.ArgumentsOf("TicketsOfEventsAsync"));
        Assert.Equal(["2"], ids);
        Assert.Equal(false, Assert.Single(query.Where!).Value);
        var e = answer.GetProperty("data").GetProperty("event");
        Assert.Equal("Jazz", e.GetProperty("title").GetString());
        Assert.Equal(JsonValueKind.Array, e.GetProperty("tickets").ValueKind);
    }

    [Fact]
    public async Task An_unknown_event_is_null_like_The_Graphs()
    {
        var answer = await _harness.RunAsync(FrontendQueries.GetEvent, """{"id": "404"}""");

        Assert.Empty(Errors(answer));
        Assert.Equal(JsonValueKind.Null, answer.GetProperty("data").GetProperty("event").ValueKind);
        Assert.Equal(["EventsByIdAsync"], _harness.Reads.Calls.Select(c => c.Method));
    }
}
