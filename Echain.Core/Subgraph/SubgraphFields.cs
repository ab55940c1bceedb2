namespace Echain.Core.Subgraph;

public enum SubgraphEntity { Event, Ticket, Transaction }

/// <summary>
/// The GraphQL scalar of a field in The Graph's schema, and the CLR value the schema's scalar hands a filter:
/// Id and String a string, Bytes a lowercase 0x hex string, BigInt a <see cref="System.Numerics.BigInteger"/>,
/// Boolean a bool.
/// </summary>
public enum SubgraphScalar { Id, String, Bytes, BigInt, Boolean }

/// <summary>
/// A field of an entity. A reference (<see cref="References"/> set) is filtered by the referenced id as a String
/// (<c>event: "1"</c>, The Graph's convention) and by a nested filter (<c>event_: {title: "x"}</c>), and orders by
/// the referenced entity's scalar fields (<c>event__startTime</c>).
/// </summary>
public sealed record SubgraphField(string Name, SubgraphScalar Type, SubgraphEntity? References = null, bool Nullable = false);

/// <summary>What a filter suffix compares: equality, order, membership, or a substring (strings and bytes).</summary>
public enum FilterOp { Equal, GreaterThan, GreaterOrEqual, LessThan, LessOrEqual, In, Contains, StartsWith, EndsWith }

/// <summary>One of The Graph's filter suffixes: <c>_not_in</c> is (In, negated), <c>_contains_nocase</c> (Contains, ignore case).</summary>
public sealed record FilterSuffix(string Suffix, FilterOp Op, bool Negated = false, bool IgnoreCase = false);

/// <summary>
/// The one catalog of the schema's entities and filters: the GraphQL types are built from it and the SQL answers
/// the same names, so a filter the schema accepts is one the store knows.
/// </summary>
public static class SubgraphFields
{
    /// <summary>The input field of a nested filter is the reference's name plus this (<c>event_</c>).</summary>
    public const string NestedSuffix = "_";
    /// <summary>An orderBy value on a referenced entity's field: <c>event__startTime</c>.</summary>
    public const string NestedOrderSeparator = "__";
    public const string And = "and";
    public const string Or = "or";

    public static IReadOnlyList<SubgraphField> Event { get; } =
    [
        new("id", SubgraphScalar.Id), new("creator", SubgraphScalar.Bytes), new("title", SubgraphScalar.String),
        new("description", SubgraphScalar.String), new("startTime", SubgraphScalar.BigInt), new("endTime", SubgraphScalar.BigInt),
        new("maxTickets", SubgraphScalar.BigInt), new("ticketPrice", SubgraphScalar.BigInt),
        new("createdAt", SubgraphScalar.BigInt), new("updatedAt", SubgraphScalar.BigInt),
    ];

    public static IReadOnlyList<SubgraphField> Ticket { get; } =
    [
        new("id", SubgraphScalar.Id), new("event", SubgraphScalar.String, SubgraphEntity.Event), new("owner", SubgraphScalar.Bytes),
        new("tokenId", SubgraphScalar.BigInt), new("ticketType", SubgraphScalar.String), new("price", SubgraphScalar.BigInt),
        new("isUsed", SubgraphScalar.Boolean), new("createdAt", SubgraphScalar.BigInt),
        new("transferredAt", SubgraphScalar.BigInt, Nullable: true),
    ];

    public static IReadOnlyList<SubgraphField> Transaction { get; } =
    [
        new("id", SubgraphScalar.Id), new("event", SubgraphScalar.String, SubgraphEntity.Event),
        new("ticket", SubgraphScalar.String, SubgraphEntity.Ticket, Nullable: true),
        new("from", SubgraphScalar.Bytes), new("to", SubgraphScalar.Bytes), new("value", SubgraphScalar.BigInt),
        new("transactionType", SubgraphScalar.String), new("timestamp", SubgraphScalar.BigInt),
    ];

    public static IReadOnlyList<SubgraphField> Of(SubgraphEntity entity) => entity switch
    {
        SubgraphEntity.Event => Event,
        SubgraphEntity.Ticket => Ticket,
        SubgraphEntity.Transaction => Transaction,
        _ => throw new ArgumentOutOfRangeException(nameof(entity)),
    };

    private static readonly FilterSuffix[] Comparisons =
    [
        new("", FilterOp.Equal), new("_not", FilterOp.Equal, Negated: true),
        new("_gt", FilterOp.GreaterThan), new("_lt", FilterOp.LessThan), new("_gte", FilterOp.GreaterOrEqual), new("_lte", FilterOp.LessOrEqual),
        new("_in", FilterOp.In), new("_not_in", FilterOp.In, Negated: true),
    ];

    private static readonly FilterSuffix[] Substrings =
    [
        new("_contains", FilterOp.Contains), new("_not_contains", FilterOp.Contains, Negated: true),
    ];

    private static readonly FilterSuffix[] TextMatches =
    [
        new("_contains_nocase", FilterOp.Contains, IgnoreCase: true), new("_not_contains_nocase", FilterOp.Contains, Negated: true, IgnoreCase: true),
        new("_starts_with", FilterOp.StartsWith), new("_starts_with_nocase", FilterOp.StartsWith, IgnoreCase: true),
        new("_not_starts_with", FilterOp.StartsWith, Negated: true), new("_not_starts_with_nocase", FilterOp.StartsWith, Negated: true, IgnoreCase: true),
        new("_ends_with", FilterOp.EndsWith), new("_ends_with_nocase", FilterOp.EndsWith, IgnoreCase: true),
        new("_not_ends_with", FilterOp.EndsWith, Negated: true), new("_not_ends_with_nocase", FilterOp.EndsWith, Negated: true, IgnoreCase: true),
    ];

    private static readonly FilterSuffix[] Booleans =
    [
        new("", FilterOp.Equal), new("_not", FilterOp.Equal, Negated: true),
        new("_in", FilterOp.In), new("_not_in", FilterOp.In, Negated: true),
    ];

    /// <summary>
    /// The suffixes a field's filter takes, as The Graph generates them: ids, numbers and references compare; bytes
    /// also contain; strings also match text. A reference's nested filter (<see cref="NestedSuffix"/>) comes on top.
    /// A nullable field's plain and <c>_not</c> filters also take null (is null / is not null).
    /// </summary>
    public static IReadOnlyList<FilterSuffix> SuffixesFor(SubgraphField field) => field switch
    {
        { References: not null } => Comparisons,
        { Type: SubgraphScalar.Boolean } => Booleans,
        { Type: SubgraphScalar.Bytes } => [.. Comparisons, .. Substrings],
        { Type: SubgraphScalar.String } => [.. Comparisons, .. Substrings, .. TextMatches],
        _ => Comparisons,
    };

    /// <summary>
    /// The orderBy enum's values: every field (a reference orders by its id), then every scalar field of each
    /// referenced entity (<c>event__title</c>), in catalog order.
    /// </summary>
    public static IReadOnlyList<string> OrderByValues(SubgraphEntity entity) =>
    [
        .. Of(entity).Select(f => f.Name),
        .. Of(entity).Where(f => f.References is not null)
            .SelectMany(r => Of(r.References!.Value).Where(f => f.References is null).Select(f => r.Name + NestedOrderSeparator + f.Name)),
    ];
}
