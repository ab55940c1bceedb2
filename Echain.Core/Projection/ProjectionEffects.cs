using Echain.Core.Chain;
using Echain.Core.Reads;
using Echain.Core.Realtime;
using Npgsql;

namespace Echain.Core.Projection;

/// <summary>
/// What one applied log changed for readers: the cache resources to invalidate (each method names which
/// reads a kind of change makes stale) and the realtime messages to emit, in order.
/// </summary>
internal sealed class ProjectionEffects
{
    private readonly SortedSet<string> _resources = new(StringComparer.Ordinal);
    private readonly List<RealtimeMessage> _messages = [];
    private int _sequenced;

    public IReadOnlyCollection<string> Resources => _resources;
    public IReadOnlyList<RealtimeMessage> Messages => _messages;

    /// <summary>
    /// Creator, size, title, description, times or price: the event page, the list and the analytics show them; the
    /// subgraph's unpinned ticket and transaction collections filter and order by them (<c>event_</c>, <c>event__title</c>).
    /// </summary>
    public void EventDetailsChanged(string eventId)
    {
        _resources.Add(CacheResources.Event(eventId));
        _resources.Add(CacheResources.EventList);
        _resources.Add(CacheResources.EventAnalytics(eventId));
        _resources.Add(CacheResources.TicketList);
        _resources.Add(CacheResources.TransactionList);
    }

    /// <summary>A ticket of the event was sold, moved or used: its counts, ticket list, analytics and activity.</summary>
    public void EventTicketsChanged(string eventId)
    {
        _resources.Add(CacheResources.Event(eventId));
        _resources.Add(CacheResources.EventTickets(eventId));
        _resources.Add(CacheResources.EventAnalytics(eventId));
        EventActivityChanged(eventId);
    }

    /// <summary>
    /// The ticket's own entry (event, holder, type, price, used, final): its metadata and image combine it with the event's;
    /// the subgraph's unpinned ticket collections show it, its transactions filter by it (<c>ticket_</c>).
    /// </summary>
    public void TicketChanged(string tokenId)
    {
        _resources.Add(CacheResources.Ticket(tokenId));
        _resources.Add(CacheResources.TicketList);
        _resources.Add(CacheResources.TransactionList);
    }

    /// <summary>A row of the event's activity was added, linked or removed: its feed and the subgraph's transactions.</summary>
    public void EventActivityChanged(string eventId)
    {
        _resources.Add(CacheResources.EventActivity(eventId));
        _resources.Add(CacheResources.TransactionList);
    }

    public void EventListChanged() => _resources.Add(CacheResources.EventList);

    /// <summary>
    /// What the address holds, or whether a ticket it holds is used: its ticket list and its analytics (ticketsHeld,
    /// eventsAttended). Nobody (null) and the zero address hold nothing anyone reads.
    /// </summary>
    public void UserTicketsChanged(string? address)
    {
        AddUser(CacheResources.UserTickets, address);
        AddUser(CacheResources.UserAnalytics, address);
    }

    /// <summary>A purchase the address made as buyer was applied or undone: its totalSpent, whoever holds the ticket now.</summary>
    public void UserPurchasesChanged(string? address) => AddUser(CacheResources.UserAnalytics, address);

    /// <inheritdoc cref="UserTicketsChanged"/>
    public void UserTransactionsChanged(string? address) => AddUser(CacheResources.UserTransactions, address);

    public void UserBalancesChanged(string address) => _resources.Add(CacheResources.UserBalances(address));

    public void Emit(RealtimeMessage message) => _messages.Add(message);

    /// <summary>
    /// Gives the messages emitted since the last call their seqs (and history rows), in the caller's transaction.
    /// Called last before an outbox stores them, so the stream locks are the transaction's last locks.
    /// </summary>
    public Task SequenceAsync(NpgsqlConnection connection, CancellationToken ct) => SequenceAllAsync(connection, [this], ct);

    /// <summary>
    /// <see cref="SequenceAsync"/> for the effects of several logs of one transaction (a batch), in their order, in one statement:
    /// each stream's locks are then taken once, last, and in ordinal order for the whole batch.
    /// </summary>
    public static async Task SequenceAllAsync(NpgsqlConnection connection, IReadOnlyList<ProjectionEffects> all, CancellationToken ct)
    {
        var pending = new List<RealtimeMessage>();
        foreach (var effects in all) pending.AddRange(effects._messages.GetRange(effects._sequenced, effects._messages.Count - effects._sequenced));
        var sequenced = await RealtimeStreams.AssignAsync(connection, pending, ct);
        var next = 0;
        foreach (var effects in all)
        {
            for (var i = effects._sequenced; i < effects._messages.Count; i++) effects._messages[i] = sequenced[next++];
            effects._sequenced = effects._messages.Count;
        }
    }

    private void AddUser(Func<string, string> resource, string? address)
    {
        if (address is not null && !EthAddress.IsZero(address)) _resources.Add(resource(address));
    }
}
