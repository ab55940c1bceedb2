using System.Globalization;
using System.Text;
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

    /// <summary><c>Event.tickets</c> under one set of arguments: a batch per distinct set (aliases may differ).</summary>
    public BatchLoader<IReadOnlyList<SubgraphTicket>> TicketsOfEvents(SubgraphCollection query)
    {
        var key = Describe(query);
        lock (_gate)
        {
            if (!_ticketsOfEvents.TryGetValue(key, out var loader))
                _ticketsOfEvents[key] = loader = new BatchLoader<IReadOnlyList<SubgraphTicket>>((ids, ct) => TicketsOfEventsAsync(ids, query, ct));
            return loader;
        }
    }

    // Every requested id is a key of the answer, so an event without matching tickets gets an empty list.
    private async Task<IReadOnlyDictionary<string, IReadOnlyList<SubgraphTicket>>> TicketsOfEventsAsync(
        IReadOnlyCollection<string> ids, SubgraphCollection query, CancellationToken ct)
    {
        var found = await Reads.TicketsOfEventsAsync(ids, query, ct);
        return ids.ToDictionary(id => id, id => found.GetValueOrDefault(id) ?? [], StringComparer.Ordinal);
    }

    // The filter is a tree of dictionaries and lists without value equality; its canonical text is the batch's key.
    private static string Describe(SubgraphCollection query)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{query.OrderBy}|{query.Direction}|{query.First}|{query.Skip}|");
        Describe(query.Where, text);
        return text.ToString();
    }

    private static void Describe(object? value, StringBuilder text)
    {
        switch (value)
        {
            case null:
                text.Append("null");
                break;
            case IReadOnlyDictionary<string, object?> map:
                text.Append('{');
                foreach (var (name, item) in map.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    text.Append(name).Append(':');
                    Describe(item, text);
                    text.Append(',');
                }
                text.Append('}');
                break;
            case string s:
                text.Append('"').Append(s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)).Append('"');
                break;
            case System.Collections.IEnumerable list:
                text.Append('[');
                foreach (var item in list)
                {
                    Describe(item, text);
                    text.Append(',');
                }
                text.Append(']');
                break;
            default:
                text.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }
}
