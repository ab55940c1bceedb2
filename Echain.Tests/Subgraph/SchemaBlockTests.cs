using Echain.Core.Subgraph;
using static Echain.Tests.Subgraph.SubgraphSchemaHarness;

namespace Echain.Tests.Subgraph;

/// <summary>Echain keeps only the latest state: <c>block</c> is answered when it asks for it, refused with why otherwise.</summary>
public sealed class SchemaBlockTests
{
    private const string LatestHash = "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private readonly SubgraphSchemaHarness _harness = new();

    public SchemaBlockTests() =>
        _harness.Reads.Meta = new SubgraphMeta(new SubgraphBlock(40, LatestHash, 1_700_000_000), "echain/anvil", false);

    [Theory]
    [InlineData("{ number: 40 }")]
    [InlineData("{ number_gte: 40 }")]
    [InlineData("{ number_gte: 1 }")]
    [InlineData("{ hash: \"0xAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\" }")]
    [InlineData("{ }")]
    public async Task The_latest_block_is_answered(string block)
    {
        _harness.Reads.Events.Add(Event("1"));

        var answer = await _harness.RunAsync($"{{ events(block: {block}) {{ id }} event(id: \"1\", block: {block}) {{ id }} }}");

        Assert.Empty(Errors(answer));
        Assert.Equal("1", answer.GetProperty("data").GetProperty("event").GetProperty("id").GetString());
    }

    [Theory]
    [InlineData("{ number: 12 }", "Echain keeps only the latest state: block 12 is older than the latest indexed block 40; ask without `block`")]
    [InlineData("{ number: 50 }", "subgraph echain/anvil has only indexed up to block number 40 and data for block number 50 is therefore not yet available")]
    [InlineData("{ number_gte: 41 }", "subgraph echain/anvil has only indexed up to block number 40 and data for block number 41 is therefore not yet available")]
    [InlineData("{ hash: \"0xbb\" }", "Echain keeps only the latest state: block 0xbb is not the latest indexed block 40; ask without `block`")]
    public async Task Another_block_is_refused_with_the_reason_and_nothing_is_read(string block, string message)
    {
        var answer = await _harness.RunAsync($"{{ tickets(block: {block}) {{ id }} }}");

        Assert.Equal([message], Errors(answer));
        Assert.Equal(["MetaAsync"], _harness.Reads.Calls.Select(c => c.Method));
    }

    [Fact]
    public async Task A_hash_is_refused_while_the_latest_blocks_hash_is_unknown()
    {
        _harness.Reads.Meta = new SubgraphMeta(new SubgraphBlock(40, null, null), "echain/anvil", false);

        var answer = await _harness.RunAsync($"{{ _meta(block: {{ hash: \"{LatestHash}\" }}) {{ block {{ number }} }} }}");

        Assert.Equal([$"Echain keeps only the latest state: block {LatestHash} is not the latest indexed block 40; ask without `block`"], Errors(answer));
    }

    [Fact]
    public async Task The_block_is_read_once_per_request()
    {
        var answer = await _harness.RunAsync(
            "{ a: events(block: { number: 40 }) { id } b: tickets(block: { number_gte: 40 }) { id } _meta { block { number hash timestamp parentHash } deployment hasIndexingErrors } }");

        Assert.Empty(Errors(answer));
        Assert.Single(_harness.Reads.ArgumentsOf("MetaAsync"));
        var meta = answer.GetProperty("data").GetProperty("_meta");
        Assert.Equal(40, meta.GetProperty("block").GetProperty("number").GetInt32());
        Assert.Equal(LatestHash, meta.GetProperty("block").GetProperty("hash").GetString());
        Assert.Equal(1_700_000_000, meta.GetProperty("block").GetProperty("timestamp").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, meta.GetProperty("block").GetProperty("parentHash").ValueKind);
        Assert.Equal("echain/anvil", meta.GetProperty("deployment").GetString());
        Assert.False(meta.GetProperty("hasIndexingErrors").GetBoolean());
    }

    [Fact]
    public async Task A_query_without_block_does_not_read_it()
    {
        await _harness.RunAsync("{ events { id } }");

        Assert.Empty(_harness.Reads.ArgumentsOf("MetaAsync"));
    }

    [Fact]
    public async Task The_error_policy_is_accepted()
    {
        var answer = await _harness.RunAsync("{ events(subgraphError: allow) { id } tickets(subgraphError: deny) { id } }");

        Assert.Empty(Errors(answer));
    }
}
