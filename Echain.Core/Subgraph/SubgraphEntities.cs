namespace Echain.Core.Subgraph;

// The entities of the frontend's former subgraph (The Graph), as Echain's projection holds them. The Graph's
// conventions: BigInt values are decimal strings, Bytes lowercase 0x hex, ids strings (an event's and a ticket's id is
// its decimal uint256; a transaction's is "{txHash}-{logIndex}"). Times are unix seconds of the log's block, or of when
// Echain applied the log where its block time is unknown.

/// <param name="UpdatedAt">The time of the log that wrote the details now shown (the creation or the newest update).</param>
public sealed record SubgraphEvent(
    string Id, string Creator, string Title, string Description, string StartTime, string EndTime,
    string MaxTickets, string TicketPrice, string CreatedAt, string UpdatedAt);

/// <param name="Owner">Who holds the ticket now.</param>
/// <param name="CreatedAt">The purchase's time.</param>
/// <param name="TransferredAt">The newest transfer's time that was not the mint; null while it never moved.</param>
public sealed record SubgraphTicket(
    string Id, string EventId, string Owner, string TokenId, string TicketType, string Price, bool IsUsed,
    string CreatedAt, string? TransferredAt);

/// <summary>
/// One row of an event's activity. TransactionType is purchase (from the buyer to the ticket contract, value the
/// price), mint, transfer or burn (the ticket's from and to, value 0) or check-in (the ticket contract both ways, value 0).
/// </summary>
public sealed record SubgraphTransaction(
    string Id, string EventId, string? TicketId, string From, string To, string Value, string TransactionType, string Timestamp);

/// <summary>The Graph's <c>_meta</c>: the newest block the projection holds, and whether a log could not be applied.</summary>
/// <param name="Deployment">Names what is indexed: "echain/{network}".</param>
/// <param name="HasIndexingErrors">A log is dead-lettered: the projection lacks it until it is replayed.</param>
public sealed record SubgraphMeta(SubgraphBlock Block, string Deployment, bool HasIndexingErrors);

/// <param name="Number">The newest block of an applied log or the reconciled block, whichever is higher (0 before either).</param>
/// <param name="Hash">That block's hash when a log of it is applied and its hash known.</param>
/// <param name="Timestamp">That block's unix time when known.</param>
public sealed record SubgraphBlock(long Number, string? Hash, long? Timestamp);

public enum OrderDirection { Asc, Desc }

/// <summary>
/// One collection field's arguments, as The Graph takes them. <paramref name="Where"/> is the filter input as
/// graphql-dotnet hands it (nested dictionaries and lists; values already parsed by the scalars, see
/// <see cref="SubgraphFields"/>); null when absent. <paramref name="OrderBy"/> is an orderBy enum value name
/// (<c>title</c>, <c>event__startTime</c>); null orders by id.
/// </summary>
public sealed record SubgraphCollection(
    IReadOnlyDictionary<string, object?>? Where, string? OrderBy, OrderDirection Direction, int First, int Skip)
{
    public const int DefaultFirst = 100;
    public const int MaxFirst = 1000;
    public const int MaxSkip = 5000;

    public static SubgraphCollection Default { get; } = new(null, null, OrderDirection.Asc, DefaultFirst, 0);

    /// <summary>The Graph's limits on <c>first</c> and <c>skip</c>, with its messages; throws <see cref="SubgraphQueryException"/>.</summary>
    public SubgraphCollection InRange()
    {
        if (First is < 0 or > MaxFirst)
            throw new SubgraphQueryException($"The `first` argument must be between 0 and {MaxFirst}, but is {First}");
        if (Skip is < 0 or > MaxSkip)
            throw new SubgraphQueryException($"The `skip` argument must be between 0 and {MaxSkip}, but is {Skip}");
        return this;
    }
}

/// <summary>A query Echain cannot answer as asked (a malformed id or value, first or skip out of range, history):
/// the message goes to the client in the GraphQL errors, so it names the argument and never internals.</summary>
public sealed class SubgraphQueryException(string message) : Exception(message);
