using static Echain.Tests.Subgraph.SubgraphSchemaHarness;

namespace Echain.Tests.Subgraph;

/// <summary>Depth and complexity limits refuse an expensive query before anything is read; ordinary ones pass.</summary>
public sealed class SchemaLimitsTests
{
    private readonly SubgraphSchemaHarness _harness = new();

    [Theory]
    [InlineData(FrontendQueries.GetEvent, """{"id": "1"}""")]
    [InlineData(FrontendQueries.GetUserTickets, """{"owner": "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"}""")]
    [InlineData(FrontendQueries.GetEventWithTickets, """{"id": "1"}""")]
    public async Task The_frontends_queries_pass_even_asking_for_a_thousand_rows(string query, string variables)
    {
        var thousand = query.Replace("tickets {", "tickets(first: 1000) {", StringComparison.Ordinal)
            .Replace("tickets(where:", "tickets(first: 1000, where:", StringComparison.Ordinal);
        Assert.Contains("first: 1000", thousand);

        var answer = await _harness.RunAsync(thousand, variables);

        Assert.Empty(Errors(answer));
    }

    [Fact]
    public async Task Nested_collections_of_a_thousand_are_too_complex_and_nothing_is_read()
    {
        var answer = await _harness.RunAsync("{ events(first: 1000) { tickets(first: 1000) { event { tickets(first: 1000) { id } } } } }");

        var error = Assert.Single(Errors(answer));
        Assert.StartsWith("Query is too complex to execute.", error);
        Assert.EndsWith("maximum allowed on this endpoint is 200000.", error);
        Assert.False(answer.TryGetProperty("data", out _));
        Assert.Empty(_harness.Reads.Calls);
    }

    [Fact]
    public async Task A_first_given_by_a_variable_counts_as_much_as_a_literal()
    {
        var answer = await _harness.RunAsync(
            "query($n: Int) { events(first: $n) { tickets(first: $n) { event { tickets(first: $n) { id } } } } }", """{"n": 1000}""");

        Assert.StartsWith("Query is too complex to execute.", Assert.Single(Errors(answer)));
        Assert.Empty(_harness.Reads.Calls);
    }

    [Fact]
    public async Task A_document_validated_before_is_still_costed_by_its_new_variables()
    {
        const string query = "query($n: Int) { events(first: $n) { tickets(first: $n) { event { tickets(first: $n) { id } } } } }";

        Assert.Empty(Errors(await _harness.RunAsync(query, """{"n": 10}""")));
        var calls = _harness.Reads.Calls.Count;
        Assert.StartsWith("Query is too complex to execute.", Assert.Single(Errors(await _harness.RunAsync(query, """{"n": 1000}"""))));
        Assert.Equal(calls, _harness.Reads.Calls.Count);
        Assert.Empty(Errors(await _harness.RunAsync(query, """{"n": 10}""")));
        // A variable of the wrong type is still refused: the variables are checked on every run, cached or not.
        Assert.NotEmpty(Errors(await _harness.RunAsync(query, """{"n": "ten"}""")));
    }

    [Fact]
    public async Task A_list_of_a_thousand_events_with_their_first_hundred_tickets_passes()
    {
        var answer = await _harness.RunAsync("{ events(first: 1000) { id title tickets { id } } }");

        Assert.Empty(Errors(answer));
    }

    [Fact]
    public async Task The_complexity_limit_is_the_configured_one()
    {
        _harness.Options.MaxComplexity = 500;

        var answer = await _harness.RunAsync("{ tickets(first: 1000) { id } }");

        Assert.EndsWith("maximum allowed on this endpoint is 500.", Assert.Single(Errors(answer)));
    }

    [Fact]
    public async Task A_query_nested_deeper_than_the_limit_is_refused_and_one_at_the_limit_passes()
    {
        // Levels count the leaves: { tickets { id } } is 2, each event { tickets … } adds 2; first: 1 keeps the cost low.
        static string Nested(int pairs, string leaf) =>
            "{ tickets(first: 1) { " + string.Concat(Enumerable.Repeat("event { tickets(first: 1) { ", pairs)) + leaf + new string('}', 2 * pairs + 1) + " }";

        var atLimit = await _harness.RunAsync(Nested(4, "id"));
        var over = await _harness.RunAsync(Nested(4, "event { id }"));

        Assert.Empty(Errors(atLimit));
        Assert.Equal(["Query is too nested to execute. Maximum depth is 11 levels; maximum allowed on this endpoint is 10."], Errors(over));
    }

    [Fact]
    public async Task The_code_generators_introspection_query_passes_though_it_nests_deeper()
    {
        var answer = await _harness.RunAsync(FrontendQueries.Introspection);

        Assert.Empty(Errors(answer));
        var types = answer.GetProperty("data").GetProperty("__schema").GetProperty("types").EnumerateArray().Select(t => t.GetProperty("name").GetString());
        Assert.Contains("Ticket_filter", types);
        Assert.Empty(_harness.Reads.Calls);
    }

    [Fact]
    public async Task Introspection_mixed_with_data_gets_the_ordinary_depth_limit()
    {
        var answer = await _harness.RunAsync(FrontendQueries.Introspection.Replace("__schema {", "events { id } __schema {", StringComparison.Ordinal));

        Assert.StartsWith("Query is too nested to execute.", Assert.Single(Errors(answer)));
    }
}
