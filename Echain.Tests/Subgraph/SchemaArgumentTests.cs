using System.Numerics;
using Echain.Core.Subgraph;
using static Echain.Tests.Subgraph.SubgraphSchemaHarness;

namespace Echain.Tests.Subgraph;

/// <summary>What a query's arguments become in the reads: parsed by The Graph's scalars, checked before any read.</summary>
public sealed class SchemaArgumentTests
{
    private readonly SubgraphSchemaHarness _harness = new();

    private SubgraphCollection OnlyCollection(string method) => (SubgraphCollection)Assert.Single(_harness.Reads.ArgumentsOf(method));

    [Fact]
    public async Task A_collection_without_arguments_reads_The_Graphs_defaults()
    {
        var answer = await _harness.RunAsync("{ events { id } }");

        Assert.Empty(Errors(answer));
        Assert.Equal(new SubgraphCollection(null, null, OrderDirection.Asc, 100, 0), OnlyCollection("EventsAsync"));
    }

    [Fact]
    public async Task The_where_filter_reaches_the_reads_as_nested_dictionaries_with_parsed_values()
    {
        var answer = await _harness.RunAsync("""
            { tickets(first: 10, skip: 5, orderBy: event__startTime, orderDirection: desc, where: {
                owner: "0xABCDEF0123456789ABCDEF0123456789ABCDEF01",
                event_: { title_contains: "Rock", startTime_gt: "1700000000" },
                and: [{ price_gte: 5 }, { isUsed: false }],
                or: [{ tokenId_in: ["1", "115792089237316195423570985008687907853269984665640564039457584007913129639935"] }, { id: 7 }],
                transferredAt: null }) { id } }
            """);

        Assert.Empty(Errors(answer));
        var query = OnlyCollection("TicketsAsync");
        Assert.Equal((10, 5, "event__startTime", OrderDirection.Desc), (query.First, query.Skip, query.OrderBy, query.Direction));
        var where = query.Where!;
        Assert.Equal("0xabcdef0123456789abcdef0123456789abcdef01", where["owner"]);
        var nested = Assert.IsAssignableFrom<IReadOnlyDictionary<string, object?>>(where["event_"]);
        Assert.Equal("Rock", nested["title_contains"]);
        Assert.Equal(new BigInteger(1_700_000_000), nested["startTime_gt"]);
        var and = Assert.IsAssignableFrom<System.Collections.IEnumerable>(where["and"]).Cast<IReadOnlyDictionary<string, object?>>().ToArray();
        Assert.Equal(new BigInteger(5), and[0]["price_gte"]);
        Assert.Equal(false, and[1]["isUsed"]);
        var or = Assert.IsAssignableFrom<System.Collections.IEnumerable>(where["or"]).Cast<IReadOnlyDictionary<string, object?>>().ToArray();
        Assert.Equal([BigInteger.One, BigInteger.Pow(2, 256) - 1], Assert.IsAssignableFrom<System.Collections.IEnumerable>(or[0]["tokenId_in"]).Cast<BigInteger>());
        Assert.Equal("7", or[1]["id"]);
        // An explicit null (is null) is a key; an absent filter is not.
        Assert.True(where.ContainsKey("transferredAt"));
        Assert.Null(where["transferredAt"]);
        Assert.False(where.ContainsKey("price"));
    }

    [Fact]
    public async Task Variables_are_parsed_by_the_same_scalars()
    {
        var answer = await _harness.RunAsync(
            "query($owner: Bytes!, $min: BigInt, $first: Int) { tickets(first: $first, where: { owner: $owner, price_gte: $min }) { id } }",
            """{"owner": "0xAbCd", "min": "123456789012345678901234567890", "first": 3}""");

        Assert.Empty(Errors(answer));
        var query = OnlyCollection("TicketsAsync");
        Assert.Equal(3, query.First);
        Assert.Equal("0xabcd", query.Where!["owner"]);
        Assert.Equal(BigInteger.Parse("123456789012345678901234567890"), query.Where["price_gte"]);
    }

    [Theory]
    [InlineData("""{ tickets(where: { owner: "0xabc" }) { id } }""", "owner")]
    [InlineData("""{ tickets(where: { owner: "abcd" }) { id } }""", "owner")]
    [InlineData("""{ tickets(where: { price: "12.5" }) { id } }""", "price")]
    [InlineData("""{ tickets(where: { price: "ten" }) { id } }""", "price")]
    [InlineData("""{ tickets(where: { isUsed: "no" }) { id } }""", "isUsed")]
    public async Task A_malformed_value_is_a_validation_error_and_nothing_is_read(string query, string field)
    {
        var answer = await _harness.RunAsync(query);

        var error = Assert.Single(Errors(answer));
        Assert.Contains(field, error);
        Assert.False(answer.TryGetProperty("data", out _));
        Assert.Empty(_harness.Reads.Calls);
    }

    [Fact]
    public async Task A_malformed_variable_is_refused_with_graphql_dotnets_message()
    {
        var answer = await _harness.RunAsync("query($owner: Bytes!) { tickets(where: { owner: $owner }) { id } }", """{"owner": "0xxyz0"}""");

        Assert.Contains("$owner", Assert.Single(Errors(answer)));
        Assert.Empty(_harness.Reads.Calls);
    }

    [Fact]
    public async Task An_id_may_be_an_integer_literal_and_is_read_as_its_string()
    {
        _harness.Reads.Events.Add(Event("1"));

        var answer = await _harness.RunAsync("{ event(id: 1) { id } }");

        Assert.Equal("1", answer.GetProperty("data").GetProperty("event").GetProperty("id").GetString());
        Assert.Equal(["1"], Assert.IsType<string[]>(Assert.Single(_harness.Reads.ArgumentsOf("EventsByIdAsync"))));
    }

    [Fact]
    public async Task Values_are_written_in_The_Graphs_forms()
    {
        _harness.Reads.Events.Add(Event("7") with { Creator = "0xABCDEF0000000000000000000000000000000001", MaxTickets = "115792089237316195423570985008687907853269984665640564039457584007913129639935" });
        _harness.Reads.Tickets.Add(Ticket("70", "7") with { TransferredAt = "1700000100" });
        _harness.Reads.Tickets.Add(Ticket("71", "7"));

        var answer = await _harness.RunAsync("{ events { creator maxTickets tickets { id transferredAt isUsed } } }");

        var e = answer.GetProperty("data").GetProperty("events")[0];
        Assert.Equal("0xabcdef0000000000000000000000000000000001", e.GetProperty("creator").GetString());
        Assert.Equal("115792089237316195423570985008687907853269984665640564039457584007913129639935", e.GetProperty("maxTickets").GetString());
        var tickets = e.GetProperty("tickets");
        Assert.Equal("1700000100", tickets[0].GetProperty("transferredAt").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, tickets[1].GetProperty("transferredAt").ValueKind);
        Assert.False(tickets[1].GetProperty("isUsed").GetBoolean());
    }

    [Theory]
    [InlineData("{ events(first: 1001) { id } }", "The `first` argument must be between 0 and 1000, but is 1001")]
    [InlineData("{ events(first: -1) { id } }", "The `first` argument must be between 0 and 1000, but is -1")]
    [InlineData("{ tickets(skip: 5001) { id } }", "The `skip` argument must be between 0 and 5000, but is 5001")]
    [InlineData("{ transactions(skip: -2) { id } }", "The `skip` argument must be between 0 and 5000, but is -2")]
    public async Task First_and_skip_out_of_range_are_refused_before_any_read(string query, string message)
    {
        var answer = await _harness.RunAsync(query);

        Assert.Equal([message], Errors(answer));
        Assert.Empty(_harness.Reads.Calls);
    }

    [Fact]
    public async Task A_nested_collections_first_is_checked_too()
    {
        _harness.Reads.Events.Add(Event("1"));

        var answer = await _harness.RunAsync("{ events(first: 1) { id tickets(first: 1001) { id } } }");

        Assert.Equal(["The `first` argument must be between 0 and 1000, but is 1001"], Errors(answer));
        Assert.Empty(_harness.Reads.ArgumentsOf("TicketsOfEventsAsync"));
    }

    [Fact]
    public async Task The_limits_themselves_are_accepted()
    {
        var answer = await _harness.RunAsync("{ events(first: 1000, skip: 5000) { id } tickets(first: 0) { id } }");

        Assert.Empty(Errors(answer));
        Assert.Equal((1000, 5000), (OnlyCollection("EventsAsync").First, OnlyCollection("EventsAsync").Skip));
        Assert.Equal(0, OnlyCollection("TicketsAsync").First);
    }
}
