using GraphQL.Types;
using Microsoft.Extensions.DependencyInjection;

namespace Echain.Core.Subgraph.Schema;

/// <summary>The frontend's former subgraph schema (The Graph's conventions), served from the projection.</summary>
public sealed class SubgraphSchema : GraphQL.Types.Schema
{
    public SubgraphSchema()
    {
        Query = new SubgraphQuery();
    }
}

/// <summary>The root query: The Graph's root fields for each entity, and <c>_meta</c>.</summary>
public sealed class SubgraphQuery : ObjectGraphType
{
    public SubgraphQuery()
    {
        Name = "Query";
        Field<MetaGraphType>("_meta")
            .Description("Access to subgraph metadata")
            .ResolveAsync(async context => await context.RequestServices!.GetRequiredService<ISubgraphReads>().MetaAsync(context.CancellationToken));
    }
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

/// <summary>The Graph's <c>_Block_</c>.</summary>
public sealed class BlockGraphType : ObjectGraphType<SubgraphBlock>
{
    public BlockGraphType()
    {
        Name = "_Block_";
        Field<StringGraphType>("hash").Resolve(c => c.Source.Hash);
        Field<NonNullGraphType<IntGraphType>>("number").Resolve(c => c.Source.Number);
        Field<IntGraphType>("timestamp").Resolve(c => c.Source.Timestamp);
    }
}
