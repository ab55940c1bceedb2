using System.Globalization;
using GraphQL;
using GraphQL.Types;

namespace Echain.Core.Subgraph.Schema;

/// <summary>The frontend's former subgraph schema (The Graph's conventions), served from the projection.</summary>
public sealed class SubgraphSchema : GraphQL.Types.Schema
{
    public SubgraphSchema()
    {
        Query = new SubgraphQuery();
        // Declared for generated clients, as graph-node declares it; no field returns it.
        RegisterType(typeof(BigDecimalGraphType));
        // Introspection reads the schema in memory: only its nesting is limited, not its size.
        this.WithIntrospectionComplexityImpact(0);
    }
}

/// <summary>The root query: The Graph's root fields for each entity, and <c>_meta</c>.</summary>
public sealed class SubgraphQuery : ObjectGraphType
{
    public SubgraphQuery()
    {
        Name = "Query";

        ById<EventGraphType>("event", SubgraphEntity.Event, (r, id) => r.Events.Load(id));
        Collection<EventGraphType>("events", SubgraphEntity.Event, async (r, q, ct) => await r.EventsAsync(q, ct));
        ById<TicketGraphType>("ticket", SubgraphEntity.Ticket, (r, id) => r.Tickets.Load(id));
        Collection<TicketGraphType>("tickets", SubgraphEntity.Ticket, async (r, q, ct) => await r.TicketsAsync(q, ct));
        ById<TransactionGraphType>("transaction", SubgraphEntity.Transaction, (r, id) => r.Transactions.Load(id));
        Collection<TransactionGraphType>("transactions", SubgraphEntity.Transaction, async (r, q, ct) => await r.TransactionsAsync(q, ct));

        Field<MetaGraphType>("_meta")
            .Description("Access to subgraph metadata")
            .Argument<BlockHeightGraphType>(SubgraphArguments.Block)
            .ResolveAsync(async context =>
            {
                await SubgraphArguments.EnsureLatestBlockAsync(context);
                return await SubgraphRequest.Of(context).MetaAsync();
            });
    }

    // Root lookups by id share the request's loaders: aliased lookups of one entity are one read. An id that cannot name
    // one (not a decimal uint256, not "{txHash}-{logIndex}") is the client's error, not an unknown entity.
    private void ById<TGraphType>(string name, SubgraphEntity entity, Func<SubgraphRequest, string, object> load) where TGraphType : IGraphType =>
        Field<TGraphType>(name)
            .Argument<NonNullGraphType<SubgraphIdGraphType>>(SubgraphArguments.Id)
            .AtBlock()
            .ResolveAsync(async context =>
            {
                await SubgraphArguments.EnsureLatestBlockAsync(context);
                var id = SubgraphFilters.EntityId(entity, SubgraphArguments.Id, context.GetArgument<string>(SubgraphArguments.Id));
                return load(SubgraphRequest.Of(context), Convert.ToString(id, CultureInfo.InvariantCulture)!);
            });

    private void Collection<TGraphType>(
        string name, SubgraphEntity entity, Func<ISubgraphReads, SubgraphCollection, CancellationToken, Task<object>> read)
        where TGraphType : IGraphType =>
        Field(name, typeof(NonNullGraphType<ListGraphType<NonNullGraphType<TGraphType>>>))
            .CollectionOf(entity)
            .AtBlock()
            .ResolveAsync(async context =>
            {
                var query = SubgraphArguments.CollectionFrom(context);
                await SubgraphArguments.EnsureLatestBlockAsync(context);
                return await read(SubgraphRequest.Of(context).Reads, query, context.CancellationToken);
            });
}

/// <summary>The Graph's <c>_Meta_</c>.</summary>
public sealed class MetaGraphType : ObjectGraphType<SubgraphMeta>
{
    public MetaGraphType()
    {
        Name = "_Meta_";
        Field<NonNullGraphType<BlockGraphType>>("block").Resolve(c => c.Source.Block);
        Field<NonNullGraphType<StringGraphType>>("deployment").Resolve(c => c.Source.Deployment);
        Field<NonNullGraphType<BooleanGraphType>>("hasIndexingErrors").Resolve(c => c.Source.HasIndexingErrors);
    }
}

/// <summary>The Graph's <c>_Block_</c>. Echain does not keep parent hashes: <c>parentHash</c> is always null.</summary>
public sealed class BlockGraphType : ObjectGraphType<SubgraphBlock>
{
    public BlockGraphType()
    {
        Name = "_Block_";
        Field<BytesGraphType>("hash").Resolve(c => c.Source.Hash);
        Field<NonNullGraphType<IntGraphType>>("number").Resolve(c => c.Source.Number);
        Field<IntGraphType>("timestamp").Resolve(c => c.Source.Timestamp);
        Field<BytesGraphType>("parentHash").Resolve(_ => null);
    }
}
