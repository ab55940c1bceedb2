using Echain.Core.Subgraph;

namespace Echain.Tests.Subgraph;

/// <summary>
/// An in-memory <see cref="ISubgraphReads"/> for the schema's unit tests: answers from its lists (collections
/// return every row; the store's filtering is not the schema's job) and records each call with its arguments.
/// </summary>
public sealed class RecordingSubgraphReads : ISubgraphReads
{
    private readonly List<(string Method, object Argument)> _calls = [];

    public List<SubgraphEvent> Events { get; } = [];
    public List<SubgraphTicket> Tickets { get; } = [];
    public List<SubgraphTransaction> Transactions { get; } = [];
    public SubgraphMeta Meta { get; set; } = new(new SubgraphBlock(40, "0x" + new string('a', 64), 1_700_000_000), "echain/anvil", false);

    /// <summary>Run by every read before it answers (e.g. the client going away mid-read).</summary>
    public Action? DuringRead { get; set; }

    /// <summary>Thrown by every read when set (the store failing).</summary>
    public Exception? Failure { get; set; }

    public IReadOnlyList<(string Method, object Argument)> Calls { get { lock (_calls) return _calls.ToArray(); } }

    public IReadOnlyList<object> ArgumentsOf(string method) => Calls.Where(c => c.Method == method).Select(c => c.Argument).ToArray();

    public Task<IReadOnlyList<SubgraphEvent>> EventsAsync(SubgraphCollection query, CancellationToken ct) =>
        Answer(nameof(EventsAsync), query, ct, () => (IReadOnlyList<SubgraphEvent>)Events.ToArray());

    public Task<IReadOnlyList<SubgraphTicket>> TicketsAsync(SubgraphCollection query, CancellationToken ct) =>
        Answer(nameof(TicketsAsync), query, ct, () => (IReadOnlyList<SubgraphTicket>)Tickets.ToArray());

    public Task<IReadOnlyList<SubgraphTransaction>> TransactionsAsync(SubgraphCollection query, CancellationToken ct) =>
        Answer(nameof(TransactionsAsync), query, ct, () => (IReadOnlyList<SubgraphTransaction>)Transactions.ToArray());

    public Task<IReadOnlyDictionary<string, SubgraphEvent>> EventsByIdAsync(IReadOnlyCollection<string> ids, CancellationToken ct) =>
        Answer(nameof(EventsByIdAsync), ids.Order(StringComparer.Ordinal).ToArray(), ct,
            () => (IReadOnlyDictionary<string, SubgraphEvent>)Events.Where(e => ids.Contains(e.Id)).ToDictionary(e => e.Id));

    public Task<IReadOnlyDictionary<string, SubgraphTicket>> TicketsByIdAsync(IReadOnlyCollection<string> ids, CancellationToken ct) =>
        Answer(nameof(TicketsByIdAsync), ids.Order(StringComparer.Ordinal).ToArray(), ct,
            () => (IReadOnlyDictionary<string, SubgraphTicket>)Tickets.Where(t => ids.Contains(t.Id)).ToDictionary(t => t.Id));

    public Task<IReadOnlyDictionary<string, SubgraphTransaction>> TransactionsByIdAsync(IReadOnlyCollection<string> ids, CancellationToken ct) =>
        Answer(nameof(TransactionsByIdAsync), ids.Order(StringComparer.Ordinal).ToArray(), ct,
            () => (IReadOnlyDictionary<string, SubgraphTransaction>)Transactions.Where(t => ids.Contains(t.Id)).ToDictionary(t => t.Id));

    // Like the store: only events that have a matching ticket are keys; the schema must answer the others with [].
    public Task<IReadOnlyDictionary<string, IReadOnlyList<SubgraphTicket>>> TicketsOfEventsAsync(
        IReadOnlyCollection<string> eventIds, SubgraphCollection query, CancellationToken ct) =>
        Answer(nameof(TicketsOfEventsAsync), (eventIds.Order(StringComparer.Ordinal).ToArray(), query), ct,
            // As the interface says: every id asked for is a key, an empty list when no ticket matches.
            () => (IReadOnlyDictionary<string, IReadOnlyList<SubgraphTicket>>)eventIds.Distinct()
                .ToDictionary(id => id, id => (IReadOnlyList<SubgraphTicket>)Tickets.Where(t => t.EventId == id).ToArray()));

    public Task<SubgraphMeta> MetaAsync(CancellationToken ct) => Answer(nameof(MetaAsync), "", ct, () => Meta);

    private async Task<T> Answer<T>(string method, object argument, CancellationToken ct, Func<T> answer)
    {
        lock (_calls) _calls.Add((method, argument));
        // Asynchronous like the store, so the execution strategy's interleaving is the real one.
        await Task.Yield();
        DuringRead?.Invoke();
        ct.ThrowIfCancellationRequested();
        if (Failure is not null)
            throw Failure;
        return answer();
    }
}
