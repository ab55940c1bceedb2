using GraphQL;

namespace Echain.Core.Subgraph.Schema;

/// <summary>
/// What one GraphQL request shares between its resolvers: the reads, the batch loaders of each level and the
/// projection's block, read once. Created per execution and kept in the user context, never shared by requests.
/// </summary>
internal sealed class SubgraphRequest
{
    private const string UserContextKey = "echain.subgraph.request";

    private readonly Lock _gate = new();
    private readonly Dictionary<string, BatchLoader<IReadOnlyList<SubgraphTicket>>> _ticketsOfEvents = new(StringComparer.Ordinal);
    private readonly CancellationToken _ct;
    private Task<SubgraphMeta>? _meta;

    public SubgraphRequest(ISubgraphReads reads, CancellationToken ct)
    {
        Reads = reads;
        _ct = ct;
        Events = new BatchLoader<SubgraphEvent>(reads.EventsByIdAsync);
        Tickets = new BatchLoader<SubgraphTicket>(reads.TicketsByIdAsync);
        Transactions = new BatchLoader<SubgraphTransaction>(reads.TransactionsByIdAsync);
    }

    public ISubgraphReads Reads { get; }
    public BatchLoader<SubgraphEvent> Events { get; }
    public BatchLoader<SubgraphTicket> Tickets { get; }
    public BatchLoader<SubgraphTransaction> Transactions { get; }

    public static SubgraphRequest Of(IResolveFieldContext context) => (SubgraphRequest)context.UserContext[UserContextKey]!;

    public void AttachTo(IDictionary<string, object?> userContext) => userContext[UserContextKey] = this;

    /// <summary>The projection's newest block, read on first use: every field of the request sees the same one.</summary>
    public Task<SubgraphMeta> MetaAsync()
    {
        lock (_gate)
            return _meta ??= Reads.MetaAsync(_ct);
    }

    /// <summary>
    /// <c>Event.tickets</c> under one set of arguments: a batch per distinct set (aliases may differ), named by the same
    /// canonical text the cache names it by (the filter is a tree of dictionaries and lists without value equality).
    /// </summary>
    public BatchLoader<IReadOnlyList<SubgraphTicket>> TicketsOfEvents(SubgraphCollection query)
    {
        var key = SubgraphFilters.Canonical(SubgraphFilters.Parse(SubgraphEntity.Ticket, query.Where), query);
        lock (_gate)
        {
            if (!_ticketsOfEvents.TryGetValue(key, out var loader))
                _ticketsOfEvents[key] = loader = new BatchLoader<IReadOnlyList<SubgraphTicket>>((ids, ct) => Reads.TicketsOfEventsAsync(ids, query, ct));
            return loader;
        }
    }
}
