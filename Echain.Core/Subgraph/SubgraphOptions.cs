namespace Echain.Core.Subgraph;

/// <summary>Section "Echain:GraphQL": the limits that keep one GraphQL request from costing the store too much.</summary>
public sealed class SubgraphOptions
{
    public const string Section = "Echain:GraphQL";

    /// <summary>
    /// The deepest nesting of selections a query may have, counting the leaves (<c>{ tickets { event { id } } }</c> is 3). Introspection
    /// alone may nest deeper (<see cref="IntrospectionMaxDepth"/>): code generators' standard query does.
    /// </summary>
    public int MaxDepth { get; set; } = 10;

    /// <summary>
    /// The most a query may cost: each field counts 1 times the rows its parents can return (a collection's
    /// <c>first</c>, 100 when absent). The frontend's queries with <c>first: 1000</c> cost about 10 000; a list of
    /// 1000 events with their first 100 tickets about 100 000; three nested collections of 1000 a billion.
    /// </summary>
    public int MaxComplexity { get; set; } = 200_000;

    /// <summary>The largest request body the GraphQL endpoint reads.</summary>
    public int MaxRequestBytes { get; set; } = 64 * 1024;

    /// <summary>The nesting an introspection-only query may have (<c>ofType</c> chains are deep).</summary>
    public int IntrospectionMaxDepth { get; set; } = 20;
}
