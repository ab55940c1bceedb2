using GraphQL.Types;

namespace Echain.Core.Subgraph.Schema;

/// <summary>The graph types of the catalog's entities, by entity: the filters and orderBy enums are built from it.</summary>
internal static class SubgraphTypes
{
    public static Type FilterOf(SubgraphEntity entity) => entity switch
    {
        SubgraphEntity.Event => typeof(EventFilterGraphType),
        SubgraphEntity.Ticket => typeof(TicketFilterGraphType),
        SubgraphEntity.Transaction => typeof(TransactionFilterGraphType),
        _ => throw new ArgumentOutOfRangeException(nameof(entity)),
    };

    public static Type OrderByOf(SubgraphEntity entity) => entity switch
    {
        SubgraphEntity.Event => typeof(EventOrderByGraphType),
        SubgraphEntity.Ticket => typeof(TicketOrderByGraphType),
        SubgraphEntity.Transaction => typeof(TransactionOrderByGraphType),
        _ => throw new ArgumentOutOfRangeException(nameof(entity)),
    };

    /// <summary>The scalar a field filters with; a reference filters by the referenced id as a String.</summary>
    public static Type ScalarOf(SubgraphField field) => field.References is not null ? typeof(StringGraphType) : field.Type switch
    {
        SubgraphScalar.Id => typeof(SubgraphIdGraphType),
        SubgraphScalar.String => typeof(StringGraphType),
        SubgraphScalar.Bytes => typeof(BytesGraphType),
        SubgraphScalar.BigInt => typeof(BigIntGraphType),
        SubgraphScalar.Boolean => typeof(BooleanGraphType),
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };
}

/// <summary>
/// The Graph's <c>{Entity}_filter</c>: one input field per catalog field and suffix (<c>title_contains</c>; the
/// <c>_in</c> ones take lists), a nested filter per reference (<c>event_</c>), and <c>and</c>/<c>or</c> of filters.
/// </summary>
public abstract class EntityFilterGraphType : InputObjectGraphType
{
    protected EntityFilterGraphType(SubgraphEntity entity)
    {
        Name = entity + "_filter";
        foreach (var field in SubgraphFields.Of(entity))
        {
            var scalar = SubgraphTypes.ScalarOf(field);
            foreach (var suffix in SubgraphFields.SuffixesFor(field))
            {
                var type = suffix.Op == FilterOp.In
                    ? typeof(ListGraphType<>).MakeGenericType(typeof(NonNullGraphType<>).MakeGenericType(scalar))
                    : scalar;
                Field(field.Name + suffix.Suffix, type);
            }
            if (field.References is { } referenced)
                Field(field.Name + SubgraphFields.NestedSuffix, SubgraphTypes.FilterOf(referenced));
        }
        var self = typeof(ListGraphType<>).MakeGenericType(SubgraphTypes.FilterOf(entity));
        Field(SubgraphFields.And, self);
        Field(SubgraphFields.Or, self);
    }
}

public sealed class EventFilterGraphType() : EntityFilterGraphType(SubgraphEntity.Event);

public sealed class TicketFilterGraphType() : EntityFilterGraphType(SubgraphEntity.Ticket);

public sealed class TransactionFilterGraphType() : EntityFilterGraphType(SubgraphEntity.Transaction);

/// <summary>The Graph's <c>{Entity}_orderBy</c>: the catalog's orderBy values, each its own name as the value.</summary>
public abstract class EntityOrderByGraphType : EnumerationGraphType
{
    protected EntityOrderByGraphType(SubgraphEntity entity)
    {
        Name = entity + "_orderBy";
        foreach (var value in SubgraphFields.OrderByValues(entity))
            Add(value, value);
    }
}

public sealed class EventOrderByGraphType() : EntityOrderByGraphType(SubgraphEntity.Event);

public sealed class TicketOrderByGraphType() : EntityOrderByGraphType(SubgraphEntity.Ticket);

public sealed class TransactionOrderByGraphType() : EntityOrderByGraphType(SubgraphEntity.Transaction);

public sealed class OrderDirectionGraphType : EnumerationGraphType
{
    public OrderDirectionGraphType()
    {
        Name = "OrderDirection";
        Add("asc", OrderDirection.Asc);
        Add("desc", OrderDirection.Desc);
    }
}

/// <summary>
/// The Graph's <c>_SubgraphErrorPolicy_</c>, accepted for compatibility: Echain has no partially indexed data to
/// hide or show (a log it could not apply is reported by <c>_meta.hasIndexingErrors</c>).
/// </summary>
public sealed class SubgraphErrorPolicyGraphType : EnumerationGraphType
{
    public const string Allow = "allow";
    public const string Deny = "deny";

    public SubgraphErrorPolicyGraphType()
    {
        Name = "_SubgraphErrorPolicy_";
        Add(Allow, Allow, "Data will be returned even if the subgraph has indexing errors");
        Add(Deny, Deny, "If the subgraph has indexing errors, data will be omitted. The default.");
    }
}

/// <summary>The Graph's <c>Block_height</c>: which block's state a query asks for.</summary>
public sealed class BlockHeightGraphType : InputObjectGraphType
{
    public BlockHeightGraphType()
    {
        Name = "Block_height";
        Field<BytesGraphType>("hash");
        Field<IntGraphType>("number");
        Field<IntGraphType>("number_gte");
    }
}
