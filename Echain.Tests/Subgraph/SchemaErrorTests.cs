using Echain.Core.Processing;
using Echain.Core.Subgraph;
using Echain.Core.Subgraph.Schema;
using static Echain.Tests.Subgraph.SubgraphSchemaHarness;

namespace Echain.Tests.Subgraph;

/// <summary>Errors come in GraphQL's <c>errors</c> format: a refused query says why, a failure says nothing internal.</summary>
public sealed class SchemaErrorTests
{
    private const string Internals = "relation \"subgraph_tickets\" does not exist (SELECT * FROM tickets WHERE owner = $1)";
    private readonly SubgraphSchemaHarness _harness = new();

    [Fact]
    public async Task A_failing_read_is_answered_with_a_fixed_message_and_logged_with_its_cause()
    {
        _harness.Reads.Failure = new InvalidOperationException(Internals);

        var answer = await _harness.RunAsync("{ tickets { id } }");

        Assert.Equal([SubgraphExecutor.InternalErrorMessage], Errors(answer));
        var text = answer.GetRawText();
        Assert.DoesNotContain("relation", text);
        Assert.DoesNotContain("SELECT", text);
        Assert.DoesNotContain("InvalidOperation", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("INVALID_OPERATION", text);
        Assert.Equal("INTERNAL_ERROR", answer.GetProperty("errors")[0].GetProperty("extensions").GetProperty("code").GetString());
        Assert.Equal("tickets", answer.GetProperty("errors")[0].GetProperty("path")[0].GetString());
        Assert.Contains(_harness.Logs.Lines, l => l.StartsWith("Error ", StringComparison.Ordinal) && l.Contains(Internals, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_failing_batch_is_hidden_the_same_way()
    {
        _harness.Reads.Tickets.Add(Ticket("10", "1"));
        var answer = await _harness.RunAsync("{ tickets { id } }");
        Assert.Empty(Errors(answer));
        _harness.Reads.Failure = new InvalidOperationException(Internals);

        answer = await _harness.RunAsync("""{ ticket(id: "10") { id } }""");

        Assert.Equal([SubgraphExecutor.InternalErrorMessage], Errors(answer));
        Assert.DoesNotContain("relation", answer.GetRawText());
    }

    [Fact]
    public async Task An_outage_is_left_for_the_endpoint_to_answer_503_and_shows_nothing_internal_either()
    {
        _harness.Reads.Failure = new TimeoutException(Internals);

        var answer = await _harness.RunAsync("{ tickets { id } }");

        Assert.DoesNotContain(SubgraphExecutor.InternalErrorMessage, Errors(answer));
        Assert.True(FailurePolicy.IsOutage(new TimeoutException()));
        Assert.DoesNotContain("relation", answer.GetRawText());
        Assert.DoesNotContain("Timeout", answer.GetRawText(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_query_the_reads_refuse_keeps_its_message()
    {
        _harness.Reads.Failure = new SubgraphQueryException("The `orderBy` value event__title needs an event filter");

        var answer = await _harness.RunAsync("{ tickets(orderBy: event__title) { id } }");

        Assert.Equal(["The `orderBy` value event__title needs an event filter"], Errors(answer));
        Assert.Equal("BAD_USER_INPUT", answer.GetProperty("errors")[0].GetProperty("extensions").GetProperty("code").GetString());
        Assert.DoesNotContain(_harness.Logs.Lines, l => l.StartsWith("Error ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{ events { nope } }", "Cannot query field 'nope' on type 'Event'.")]
    [InlineData("{ events(first: \"ten\") { id } }", "Argument 'first' has invalid value. Expected type 'Int', found \"ten\".")]
    [InlineData("{ events(orderBy: nope) { id } }", "Argument 'orderBy' has invalid value. Expected type 'Event_orderBy', found nope.")]
    public async Task Validation_errors_keep_graphql_dotnets_messages(string query, string message)
    {
        var answer = await _harness.RunAsync(query);

        Assert.Equal([message], Errors(answer));
        Assert.Empty(_harness.Reads.Calls);
    }

    [Fact]
    public async Task An_unparsable_query_is_a_request_error()
    {
        var answer = await _harness.RunAsync("{ events { id ");

        Assert.StartsWith("Error parsing query:", Assert.Single(Errors(answer)));
        Assert.False(answer.TryGetProperty("data", out _));
    }

    [Fact]
    public async Task A_client_going_away_mid_read_cancels_the_request_instead_of_answering_an_error()
    {
        using var client = new CancellationTokenSource();
        _harness.Reads.Tickets.Add(Ticket("10", "1"));
        _harness.Reads.DuringRead = () => { if (_harness.Reads.Calls.Count == 2) client.Cancel(); };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _harness.RunAsync("{ tickets { event { id } } }", ct: client.Token));
        Assert.Equal(["TicketsAsync", "EventsByIdAsync"], _harness.Reads.Calls.Select(c => c.Method));
        Assert.DoesNotContain(_harness.Logs.Lines, l => l.StartsWith("Error ", StringComparison.Ordinal));
    }
}
