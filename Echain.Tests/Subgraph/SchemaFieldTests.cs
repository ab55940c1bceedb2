using System.Net;
using System.Text.Json;
using Echain.Demo.Chain;
using Echain.Tests.Infrastructure;
using Nethereum.Hex.HexTypes;
using static Echain.Tests.Subgraph.SubgraphScenario;

namespace Echain.Tests.Subgraph;

/// <summary>
/// The schema's other fields, The Graph's filters, ordering and paging, and the limits, against the real app after
/// <see cref="SubgraphScenario"/>. Tickets: a = Alice's GA (resold to Dave), b = Bob's VIP (used), both at "GraphQL
/// night"; c = Carol's GA at "Second show"; token ids in purchase order.
/// </summary>
[Collection(SubgraphScenario.Collection)]
public sealed class SchemaFieldTests(SubgraphScenario scenario)
{
    private EchainTestHost Host => scenario.Host;
    private string A => Text(scenario.AliceTicket.TokenId);
    private string B => Text(scenario.BobTicket.TokenId);
    private string C => Text(scenario.CarolTicket.TokenId);
    private string Night => Text(scenario.Night.EventId);
    private string Show => Text(scenario.Show.EventId);

    private async Task<long> BlockTimeAsync(long block) =>
        (await Host.Anvil.Reader().BlockTimeAsync(new HexBigInteger(block))).ToUnixTimeSeconds();

    [Fact]
    public async Task Times_and_transactions_follow_the_chain_and_the_REST_activity()
    {
        var data = await Host.QueryAsync(
            $$"""
            query($night: ID!) {
              event(id: $night) { createdAt updatedAt }
              tickets(orderBy: tokenId) { id createdAt transferredAt event { id } }
              transactions(where: { event: "{{Night}}" }, first: 1000) {
                id event { id } ticket { id } from to value transactionType timestamp }
            }
            """, new { night = Night });

        var created = (await BlockTimeAsync(scenario.Night.Transaction.BlockNumber)).ToString();
        Assert.Equal((created, created), (data.GetProperty("event").GetProperty("createdAt").GetString(), data.GetProperty("event").GetProperty("updatedAt").GetString()));

        var tickets = data.GetProperty("tickets").EnumerateArray().ToList();
        Assert.Equal([A, B, C], tickets.Select(t => t.GetProperty("id").GetString()));
        Assert.Equal([Night, Night, Show], tickets.Select(t => t.GetProperty("event").GetProperty("id").GetString()));
        Assert.Equal(
            [
                (await BlockTimeAsync(scenario.AliceTicket.Purchase.BlockNumber)).ToString(),
                (await BlockTimeAsync(scenario.BobTicket.Purchase.BlockNumber)).ToString(),
                (await BlockTimeAsync(scenario.CarolTicket.Purchase.BlockNumber)).ToString(),
            ],
            tickets.Select(t => t.GetProperty("createdAt").GetString()));
        Assert.Equal([(await BlockTimeAsync(scenario.AliceToDave.Transfer.BlockNumber)).ToString(), null, null],
            tickets.Select(t => t.GetProperty("transferredAt").GetString()));

        // Each transaction is one row of the event's REST activity: purchases, mints, the resale and the check-in.
        var contract = Host.Deployment.TicketContract.ToLowerInvariant();
        var activity = (await Host.GetJsonAsync($"api/events/{Night}/activity?limit=200")).GetProperty("items").EnumerateArray();
        var expected = activity.Select(a =>
        {
            var kind = a.GetProperty("kind").GetString()!;
            var (from, to, value) = kind switch
            {
                "purchase" => (a.GetProperty("buyer").GetString(), contract, a.GetProperty("price").GetString()),
                "check-in" => (contract, contract, "0"),
                _ => (a.GetProperty("from").GetString(), a.GetProperty("to").GetString(), "0"),
            };
            return $"{a.GetProperty("txHash").GetString()}-{a.GetProperty("logIndex").GetInt32()} {Night} {a.GetProperty("tokenId").GetString()} " +
                   $"{from} {to} {value} {kind} {Unix(a.GetProperty("blockTime").GetString()!)}";
        }).Order(StringComparer.Ordinal).ToList();
        var actual = data.GetProperty("transactions").EnumerateArray().Select(t =>
            $"{t.GetProperty("id").GetString()} {t.GetProperty("event").GetProperty("id").GetString()} {t.GetProperty("ticket").GetProperty("id").GetString()} " +
            $"{t.GetProperty("from").GetString()} {t.GetProperty("to").GetString()} {t.GetProperty("value").GetString()} " +
            $"{t.GetProperty("transactionType").GetString()} {t.GetProperty("timestamp").GetString()}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, actual);
        Assert.Equal(["check-in", "mint", "mint", "purchase", "purchase", "transfer"],
            data.GetProperty("transactions").EnumerateArray().Select(t => t.GetProperty("transactionType").GetString()).Order());

        // One by id answers the same entity.
        var one = data.GetProperty("transactions")[0];
        var byId = await Host.QueryAsync($$"""{ transaction(id: "{{one.GetProperty("id").GetString()}}") { id transactionType timestamp } }""");
        Assert.Equal(one.GetProperty("timestamp").GetString(), byId.GetProperty("transaction").GetProperty("timestamp").GetString());
    }

    [Theory]
    [InlineData("tickets(orderBy: tokenId, orderDirection: desc)", "c b a")]
    [InlineData("tickets(first: 1, skip: 1, orderBy: tokenId)", "b")]
    [InlineData("tickets(skip: 3)", "")]
    [InlineData("tickets(where: { price_lt: \"5000000\" })", "c")]
    [InlineData("tickets(where: { price_gte: \"5000000\", isUsed_not: true })", "a")]
    [InlineData("tickets(where: { ticketType_in: [\"VIP\"] })", "b")]
    [InlineData("tickets(where: { ticketType_not_in: [\"VIP\"] })", "a c")]
    [InlineData("tickets(where: { owner_not: \"{bob}\" })", "a c")]
    [InlineData("tickets(where: { event_: { title_contains: \"night\" }, isUsed: false })", "a")]
    [InlineData("tickets(where: { or: [{ ticketType: \"VIP\" }, { owner: \"{carol}\" }] })", "b c")]
    [InlineData("tickets(where: { and: [{ ticketType: \"GA\" }, { event: \"{night}\" }] })", "a")]
    [InlineData("tickets(where: { transferredAt: null })", "b c")]
    [InlineData("tickets(where: { owner_in: [\"{dave}\", \"{carol}\"] }, orderBy: event__startTime, orderDirection: desc)", "c a")]
    [InlineData("tickets(where: { event_: { title_starts_with_nocase: \"second\" } })", "c")]
    [InlineData("events(where: { and: [{ maxTickets_gt: \"7\" }, { title_starts_with: \"GraphQL\" }] })", "night")]
    [InlineData("events(where: { title_contains_nocase: \"SHOW\" })", "show")]
    [InlineData("events(where: { description_not_contains: \"A\" })", "show")]
    [InlineData("events(orderBy: startTime, orderDirection: desc)", "show night")]
    [InlineData("events(where: { creator: \"{organizer}\" }, orderBy: title)", "night show")]
    public async Task Filters_ordering_and_paging_answer_as_computed_by_hand(string field, string expected)
    {
        var query = "{ result: " + Fill(field) + " { id } }";
        var ids = (await Host.QueryAsync(query)).GetProperty("result").EnumerateArray().Select(e => e.GetProperty("id").GetString()).ToList();

        Assert.Equal(expected.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Name), ids);
    }

    [Fact]
    public async Task Nested_collections_take_the_same_arguments_and_transactions_filter_by_type()
    {
        var data = await Host.QueryAsync(
            $$"""
            {
              event(id: "{{Night}}") {
                used: tickets(where: { isUsed: true }) { id }
                last: tickets(first: 1, orderBy: tokenId, orderDirection: desc) { id }
                vip: tickets(where: { ticketType: "VIP" }) { id owner }
              }
              transactions(where: { event: "{{Night}}", transactionType: "check-in" }) { ticket { id isUsed } }
            }
            """);
        var night = data.GetProperty("event");
        Assert.Equal(B, Assert.Single(night.GetProperty("used").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(B, Assert.Single(night.GetProperty("last").EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(scenario.Bob.Address, Assert.Single(night.GetProperty("vip").EnumerateArray()).GetProperty("owner").GetString());
        var checkIn = Assert.Single(data.GetProperty("transactions").EnumerateArray()).GetProperty("ticket");
        Assert.Equal((B, true), (checkIn.GetProperty("id").GetString(), checkIn.GetProperty("isUsed").GetBoolean()));
    }

    [Fact]
    public async Task Meta_names_the_newest_block_and_block_arguments_answer_only_the_latest_state()
    {
        var meta = (await Host.QueryAsync("{ _meta { block { number hash timestamp } deployment hasIndexingErrors } }")).GetProperty("_meta");
        var number = meta.GetProperty("block").GetProperty("number").GetInt64();
        Assert.True(number >= scenario.BobCheckIn.BlockNumber, $"{number} < {scenario.BobCheckIn.BlockNumber}");
        Assert.False(meta.GetProperty("hasIndexingErrors").GetBoolean());
        Assert.StartsWith("echain/", meta.GetProperty("deployment").GetString());

        var latest = await Host.QueryAsync($$"""{ events(block: { number: {{number}} }, orderBy: startTime) { id } }""");
        Assert.Equal([Night, Show], latest.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("id").GetString()));

        var (_, messages, body) = await Host.ErrorsAsync("{ events(block: { number: 1 }) { id } }");
        Assert.Contains(messages, m => m.Contains("latest", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(JsonValueKind.Null, body.GetProperty("data").ValueKind);
    }

    [Fact]
    public async Task Depth_complexity_and_first_over_their_limits_are_errors_without_internals()
    {
        var deep = "{ tickets(first: 1) { event { tickets(first: 1) { event { tickets(first: 1) { event { tickets(first: 1) { event { tickets(first: 1) { event { tickets(first: 1) { id } } } } } } } } } } } }";
        var (depthStatus, depth, _) = await Host.ErrorsAsync(deep);
        Assert.Equal(HttpStatusCode.BadRequest, depthStatus);
        Assert.Contains(depth, m => m.Contains("nested", StringComparison.OrdinalIgnoreCase) || m.Contains("depth", StringComparison.OrdinalIgnoreCase));

        var wide = "{ events(first: 1000) { tickets(first: 1000) { event { tickets(first: 1000) { id } } } } }";
        var (wideStatus, complexity, _) = await Host.ErrorsAsync(wide);
        Assert.Equal(HttpStatusCode.BadRequest, wideStatus);
        Assert.Contains(complexity, m => m.Contains("complex", StringComparison.OrdinalIgnoreCase));

        var (_, first, body) = await Host.ErrorsAsync("{ tickets(first: 1001) { id } }");
        Assert.Contains(first, m => m.Contains("first", StringComparison.Ordinal) && m.Contains("1000", StringComparison.Ordinal));
        foreach (var text in new[] { body.GetRawText() })
        {
            Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Npgsql", text, StringComparison.Ordinal);
        }

        // The frontend's codegen reads the schema: introspection is on.
        var types = (await Host.QueryAsync("{ __schema { types { name } } }")).GetProperty("__schema").GetProperty("types")
            .EnumerateArray().Select(t => t.GetProperty("name").GetString()).ToList();
        Assert.Superset(new HashSet<string?> { "Event", "Ticket", "Transaction", "Event_filter", "Ticket_orderBy", "BigInt", "Bytes", "_Meta_" },
            types.ToHashSet());
    }

    private string Fill(string field) => field
        .Replace("{bob}", scenario.Bob.Address).Replace("{carol}", scenario.Carol.Address).Replace("{dave}", scenario.Dave.Address)
        .Replace("{organizer}", scenario.Organizer.Address).Replace("{night}", Night);

    private string Name(string name) => name switch
    {
        "a" => A, "b" => B, "c" => C, "night" => Night, "show" => Show,
        _ => throw new ArgumentOutOfRangeException(nameof(name)),
    };
}
