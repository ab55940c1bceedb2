using Echain.Core.Subgraph;
using GraphQL;
using GraphQL.Types;

namespace Echain.Tests.Subgraph;

/// <summary>The schema is The Graph's for the frontend's entities, so its queries and generated clients keep working.</summary>
public sealed class SchemaShapeTests
{
    private static readonly ISchema Schema = SubgraphSchemaHarness.Schema();
    private static readonly string Sdl = Schema.Print();

    [Theory]
    [InlineData("event(id: ID!, block: Block_height, subgraphError: _SubgraphErrorPolicy_! = deny): Event")]
    [InlineData("events(skip: Int = 0, first: Int = 100, orderBy: Event_orderBy, orderDirection: OrderDirection, where: Event_filter, block: Block_height, subgraphError: _SubgraphErrorPolicy_! = deny): [Event!]!")]
    [InlineData("ticket(id: ID!, block: Block_height, subgraphError: _SubgraphErrorPolicy_! = deny): Ticket")]
    [InlineData("tickets(skip: Int = 0, first: Int = 100, orderBy: Ticket_orderBy, orderDirection: OrderDirection, where: Ticket_filter, block: Block_height, subgraphError: _SubgraphErrorPolicy_! = deny): [Ticket!]!")]
    [InlineData("transaction(id: ID!, block: Block_height, subgraphError: _SubgraphErrorPolicy_! = deny): Transaction")]
    [InlineData("transactions(skip: Int = 0, first: Int = 100, orderBy: Transaction_orderBy, orderDirection: OrderDirection, where: Transaction_filter, block: Block_height, subgraphError: _SubgraphErrorPolicy_! = deny): [Transaction!]!")]
    [InlineData("_meta(block: Block_height): _Meta_")]
    public void The_root_fields_take_The_Graphs_arguments(string field) =>
        Assert.Contains("\n  " + field + "\n", Sdl);

    [Fact]
    public void The_entities_have_the_subgraphs_fields_and_types()
    {
        AssertFields("Event", "id: ID!", "creator: Bytes!", "title: String!", "description: String!", "startTime: BigInt!", "endTime: BigInt!",
            "maxTickets: BigInt!", "ticketPrice: BigInt!",
            "tickets(skip: Int = 0, first: Int = 100, orderBy: Ticket_orderBy, orderDirection: OrderDirection, where: Ticket_filter): [Ticket!]!",
            "createdAt: BigInt!", "updatedAt: BigInt!");
        AssertFields("Ticket", "id: ID!", "event: Event!", "owner: Bytes!", "tokenId: BigInt!", "ticketType: String!", "price: BigInt!",
            "isUsed: Boolean!", "createdAt: BigInt!", "transferredAt: BigInt");
        AssertFields("Transaction", "id: ID!", "event: Event!", "ticket: Ticket", "from: Bytes!", "to: Bytes!", "value: BigInt!",
            "transactionType: String!", "timestamp: BigInt!");
        AssertFields("_Meta_", "block: _Block_!", "deployment: String!", "hasIndexingErrors: Boolean!");
        AssertFields("_Block_", "hash: Bytes", "number: Int!", "timestamp: Int", "parentHash: Bytes");
    }

    [Fact]
    public void The_Graphs_scalars_enums_and_block_input_are_declared()
    {
        foreach (var scalar in new[] { "BigInt", "BigDecimal", "Bytes", "ID" })
            Assert.IsAssignableFrom<ScalarGraphType>(Schema.AllTypes[scalar]);
        Assert.Contains("enum OrderDirection {\n  asc\n  desc\n}", Sdl);
        Assert.Contains("enum _SubgraphErrorPolicy_ {\n", Sdl);
        Assert.Equal(["allow", "deny"], ((EnumerationGraphType)Schema.AllTypes["_SubgraphErrorPolicy_"]!).Values.Select(v => v.Name));
        Assert.Contains("input Block_height {\n  hash: Bytes\n  number: Int\n  number_gte: Int\n}", Sdl);
    }

    [Theory]
    [InlineData(SubgraphEntity.Event)]
    [InlineData(SubgraphEntity.Ticket)]
    [InlineData(SubgraphEntity.Transaction)]
    public void Every_catalog_field_has_its_filters_and_nothing_else(SubgraphEntity entity)
    {
        var filter = (IInputObjectGraphType)Schema.AllTypes[entity + "_filter"]!;
        var expected = new Dictionary<string, string>();
        foreach (var field in SubgraphFields.Of(entity))
        {
            var scalar = field.References is not null ? "String" : field.Type switch
            {
                SubgraphScalar.Id => "ID", SubgraphScalar.Bytes => "Bytes", SubgraphScalar.BigInt => "BigInt",
                SubgraphScalar.Boolean => "Boolean", _ => "String",
            };
            foreach (var suffix in SubgraphFields.SuffixesFor(field))
                expected[field.Name + suffix.Suffix] = suffix.Op == FilterOp.In ? $"[{scalar}!]" : scalar;
            if (field.References is { } referenced)
                expected[field.Name + "_"] = referenced + "_filter";
        }
        expected["and"] = $"[{entity}_filter]";
        expected["or"] = $"[{entity}_filter]";

        var actual = filter.Fields.ToDictionary(f => f.Name, f => f.ResolvedType!.ToString()!);
        Assert.Equal(expected.OrderBy(p => p.Key), actual.OrderBy(p => p.Key));
    }

    [Fact]
    public void A_filter_has_The_Graphs_names_for_a_string_and_a_reference()
    {
        Assert.Contains("\n  title_not_contains_nocase: String\n", Sdl);
        Assert.Contains("\n  creator_in: [Bytes!]\n", Sdl);
        Assert.Contains("\n  event_: Event_filter\n", Sdl);
        Assert.Contains("\n  ticket_not_in: [String!]\n", Sdl);
    }

    [Theory]
    [InlineData(SubgraphEntity.Event)]
    [InlineData(SubgraphEntity.Ticket)]
    [InlineData(SubgraphEntity.Transaction)]
    public void The_orderBy_enum_holds_the_catalogs_values(SubgraphEntity entity)
    {
        var orderBy = (EnumerationGraphType)Schema.AllTypes[entity + "_orderBy"]!;
        Assert.Equal(SubgraphFields.OrderByValues(entity), orderBy.Values.Select(v => v.Name));
        Assert.Equal(SubgraphFields.OrderByValues(entity), orderBy.Values.Select(v => (string)v.Value!));
    }

    [Fact]
    public void The_nested_orderBy_values_follow_The_Graphs_double_underscore()
    {
        var values = ((EnumerationGraphType)Schema.AllTypes["Transaction_orderBy"]!).Values.Select(v => v.Name).ToArray();
        Assert.Contains("event__startTime", values);
        Assert.Contains("ticket__isUsed", values);
        Assert.DoesNotContain("ticket__event", values);
    }

    private static void AssertFields(string type, params string[] fields) =>
        Assert.Contains($"type {type} {{\n" + string.Concat(fields.Select(f => $"  {f}\n")) + "}", Sdl);
}
