namespace Echain.Core.Subgraph;

/// <summary>
/// The subgraph's reads over the projection, cache-aside like the REST reads and invalidated by the same resources.
/// Each by-id or per-parent method takes the keys of one level of a query at once: one cache probe per key, and the
/// misses answered by one SQL statement, so a list of tickets with their events costs one query per level.
/// Invalid arguments throw <see cref="SubgraphQueryException"/>.
/// </summary>
public interface ISubgraphReads
{
    Task<IReadOnlyList<SubgraphEvent>> EventsAsync(SubgraphCollection query, CancellationToken ct);

    Task<IReadOnlyList<SubgraphTicket>> TicketsAsync(SubgraphCollection query, CancellationToken ct);

    Task<IReadOnlyList<SubgraphTransaction>> TransactionsAsync(SubgraphCollection query, CancellationToken ct);

    /// <summary>The known ones of <paramref name="ids"/> (an unknown or malformed id is simply absent).</summary>
    Task<IReadOnlyDictionary<string, SubgraphEvent>> EventsByIdAsync(IReadOnlyCollection<string> ids, CancellationToken ct);

    /// <inheritdoc cref="EventsByIdAsync"/>
    Task<IReadOnlyDictionary<string, SubgraphTicket>> TicketsByIdAsync(IReadOnlyCollection<string> ids, CancellationToken ct);

    /// <inheritdoc cref="EventsByIdAsync"/>
    Task<IReadOnlyDictionary<string, SubgraphTransaction>> TransactionsByIdAsync(IReadOnlyCollection<string> ids, CancellationToken ct);

    /// <summary><c>Event.tickets(…)</c> for each of <paramref name="eventIds"/> under one set of arguments; every id
    /// requested is a key (an empty list when it has no ticket matching).</summary>
    Task<IReadOnlyDictionary<string, IReadOnlyList<SubgraphTicket>>> TicketsOfEventsAsync(
        IReadOnlyCollection<string> eventIds, SubgraphCollection query, CancellationToken ct);

    /// <summary>Not cached: it moves with every applied log.</summary>
    Task<SubgraphMeta> MetaAsync(CancellationToken ct);
}
