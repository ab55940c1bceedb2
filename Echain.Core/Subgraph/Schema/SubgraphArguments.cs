using System.Globalization;
using GraphQL;
using GraphQL.Builders;
using GraphQL.Types;
using GraphQL.Validation.Complexity;

namespace Echain.Core.Subgraph.Schema;

/// <summary>The Graph's field arguments (collections, <c>block</c>, <c>subgraphError</c>) and how they are read.</summary>
internal static class SubgraphArguments
{
    public const string Id = "id";
    public const string Skip = "skip";
    public const string First = "first";
    public const string OrderBy = "orderBy";
    public const string OrderDirection = "orderDirection";
    public const string Where = "where";
    public const string Block = "block";
    public const string SubgraphError = "subgraphError";

    /// <summary><c>skip</c>, <c>first</c>, <c>orderBy</c>, <c>orderDirection</c>, <c>where</c> of a collection of
    /// <paramref name="entity"/>; a collection costs its <c>first</c> rows times what each row selects.</summary>
    public static FieldBuilder<TSource, object> CollectionOf<TSource>(this FieldBuilder<TSource, object> field, SubgraphEntity entity) =>
        field
            .Argument<IntGraphType>(Skip, a => a.DefaultValue = 0)
            .Argument<IntGraphType>(First, a => a.DefaultValue = SubgraphCollection.DefaultFirst)
            .Argument(SubgraphTypes.OrderByOf(entity), OrderBy)
            .Argument<OrderDirectionGraphType>(OrderDirection)
            .Argument(SubgraphTypes.FilterOf(entity), Where)
            .WithComplexityImpact(context => new FieldComplexityResult(1, FirstOf(context)));

    /// <summary><c>block</c> and <c>subgraphError</c>, which every root entity field takes.</summary>
    public static FieldBuilder<TSource, object> AtBlock<TSource>(this FieldBuilder<TSource, object> field) =>
        field
            .Argument<BlockHeightGraphType>(Block)
            .Argument<NonNullGraphType<SubgraphErrorPolicyGraphType>>(SubgraphError, a => a.DefaultValue = SubgraphErrorPolicyGraphType.Deny);

    /// <summary>The collection arguments, range-checked before anything is read (The Graph's limits and messages).</summary>
    public static SubgraphCollection CollectionFrom(IResolveFieldContext context)
    {
        var first = context.GetArgument(First, SubgraphCollection.DefaultFirst);
        var skip = context.GetArgument(Skip, 0);
        var where = context.Arguments?.TryGetValue(Where, out var filter) == true ? filter.Value as IReadOnlyDictionary<string, object?> : null;
        var orderBy = context.GetArgument<string?>(OrderBy);
        var direction = context.GetArgument(OrderDirection, Subgraph.OrderDirection.Asc);
        return new SubgraphCollection(where, orderBy, direction, first, skip).InRange();
    }

    /// <summary>
    /// Echain keeps only the latest state: a <c>block</c> argument is answered when it names the projection's newest
    /// block (by number, by a lower bound, or by hash), refused with the reason otherwise.
    /// </summary>
    public static async Task EnsureLatestBlockAsync(IResolveFieldContext context)
    {
        if (context.Arguments?.TryGetValue(Block, out var argument) != true || argument.Value is not IReadOnlyDictionary<string, object?> block)
            return;
        var meta = await SubgraphRequest.Of(context).MetaAsync();
        var latest = meta.Block.Number;
        if (block.GetValueOrDefault("hash") is string hash)
        {
            if (!string.Equals(hash, meta.Block.Hash, StringComparison.OrdinalIgnoreCase))
                throw new SubgraphQueryException(
                    $"Echain keeps only the latest state: block {hash} is not the latest indexed block {latest}; ask without `block`");
        }
        else if (block.GetValueOrDefault("number") is int number)
        {
            if (number > latest)
                throw NotYetIndexed(meta, number);
            if (number < latest)
                throw new SubgraphQueryException(
                    $"Echain keeps only the latest state: block {number} is older than the latest indexed block {latest}; ask without `block`");
        }
        else if (block.GetValueOrDefault("number_gte") is int atLeast && atLeast > latest)
        {
            throw NotYetIndexed(meta, atLeast);
        }
    }

    private static SubgraphQueryException NotYetIndexed(SubgraphMeta meta, long number) => new(string.Create(CultureInfo.InvariantCulture,
        $"subgraph {meta.Deployment} has only indexed up to block number {meta.Block.Number} and data for block number {number} is therefore not yet available"));

    // A literal or variable `first`; its default otherwise (the visitor sees only what the query wrote).
    private static double FirstOf(FieldImpactContext context) =>
        context.Arguments?.TryGetValue(First, out var first) == true && first.Value is int rows ? rows : SubgraphCollection.DefaultFirst;
}
