using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Echain.Core.Chain;
using Echain.Core.Chain.Rpc;
using Echain.Core.Queue;
using Echain.Core.Reads;
using Echain.Core.Reconciliation;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Echain.Core.Subgraph;

/// <inheritdoc cref="ISubgraphReads"/>
/// <remarks>
/// Every entry lives under a resource that every change able to alter its answer invalidates: an event-pinned ticket
/// collection under the event's tickets, an owner-pinned one under the holder's tickets, one that filters or orders by
/// the event's fields (or that nothing pins) under <see cref="CacheResources.TicketList"/>, and likewise for transactions.
/// </remarks>
public sealed class SubgraphReads(
    NpgsqlDataSource dataSource, IReadCache cache, ChainCheckpointStore checkpoints, IDeadLetterQueue deadLetters,
    IOptions<ChainOptions> chain, IOptions<EchainOptions> contracts) : ISubgraphReads
{
    private const string ById = "subgraph";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly string _network = chain.Value.Network;
    private readonly SubgraphStore _store = new(dataSource, chain.Value.Network, [.. contracts.Value.TicketContractAddresses().Distinct()]);

    public async Task<IReadOnlyList<SubgraphEvent>> EventsAsync(SubgraphCollection query, CancellationToken ct)
    {
        var filter = Parse(SubgraphEntity.Event, query);
        return await CollectionAsync(CacheResources.EventList, Variant(filter, query), CacheTtl.Event,
            c => _store.EventsAsync(filter, query, c), ct);
    }

    public async Task<IReadOnlyList<SubgraphTicket>> TicketsAsync(SubgraphCollection query, CancellationToken ct)
    {
        var filter = Parse(SubgraphEntity.Ticket, query);
        var (resource, ttl) = ByEvent(filter, query) ? (CacheResources.TicketList, CacheTtl.EventTickets)
            : SubgraphFilters.TopLevelEquality(filter, "event") is BigInteger eventId ? (CacheResources.EventTickets(Text(eventId)), CacheTtl.EventTickets)
            // The zero address's tickets (burned ones) are nobody's: no change invalidates its entry.
            : SubgraphFilters.TopLevelEquality(filter, "owner") is string owner && !EthAddress.IsZero(owner)
                ? (CacheResources.UserTickets(owner), CacheTtl.UserTickets)
            : (CacheResources.TicketList, CacheTtl.EventTickets);
        return await CollectionAsync(resource, Variant(filter, query), ttl, c => _store.TicketsAsync(filter, query, c), ct);
    }

    public async Task<IReadOnlyList<SubgraphTransaction>> TransactionsAsync(SubgraphCollection query, CancellationToken ct)
    {
        var filter = Parse(SubgraphEntity.Transaction, query);
        var byReferenced = ByEvent(filter, query) || SubgraphFilters.Nests(filter, "ticket") || OrdersBy(query, "ticket");
        var resource = !byReferenced && SubgraphFilters.TopLevelEquality(filter, "event") is BigInteger eventId
            ? CacheResources.EventActivity(Text(eventId))
            : CacheResources.TransactionList;
        return await CollectionAsync(resource, Variant(filter, query), CacheTtl.EventTickets,
            c => _store.TransactionsAsync(filter, query, c), ct);
    }

    public Task<IReadOnlyDictionary<string, SubgraphEvent>> EventsByIdAsync(IReadOnlyCollection<string> ids, CancellationToken ct) =>
        ByIdAsync<SubgraphEvent>(ids, SubgraphEntity.Event, id => (CacheResources.Event(Text((BigInteger)id)), ById, CacheTtl.Event),
            async keys => (await _store.EventsByIdAsync(keys.Cast<BigInteger>().ToList(), CancellationToken.None))
                .ToDictionary(e => (object)BigInteger.Parse(e.Id, CultureInfo.InvariantCulture), Serialize), ct);

    public Task<IReadOnlyDictionary<string, SubgraphTicket>> TicketsByIdAsync(IReadOnlyCollection<string> ids, CancellationToken ct) =>
        ByIdAsync<SubgraphTicket>(ids, SubgraphEntity.Ticket, id => (CacheResources.Ticket(Text((BigInteger)id)), ById, CacheTtl.EventTickets),
            async keys => (await _store.TicketsByIdAsync(keys.Cast<BigInteger>().ToList(), CancellationToken.None))
                .ToDictionary(t => (object)BigInteger.Parse(t.Id, CultureInfo.InvariantCulture), Serialize), ct);

    public Task<IReadOnlyDictionary<string, SubgraphTransaction>> TransactionsByIdAsync(IReadOnlyCollection<string> ids, CancellationToken ct) =>
        ByIdAsync<SubgraphTransaction>(ids, SubgraphEntity.Transaction, id => (CacheResources.TransactionList, $"{ById}:id:{id}", CacheTtl.EventTickets),
            async keys => (await _store.TransactionsByIdAsync(keys.Cast<TransactionKey>().ToList(), CancellationToken.None))
                .ToDictionary(t => (object)(TransactionKey.TryParse(t.Id, out var k) ? k : default), Serialize), ct);

    public async Task<IReadOnlyDictionary<string, IReadOnlyList<SubgraphTicket>>> TicketsOfEventsAsync(
        IReadOnlyCollection<string> eventIds, SubgraphCollection query, CancellationToken ct)
    {
        var filter = Parse(SubgraphEntity.Ticket, query);
        var byEvent = ByEvent(filter, query);
        var parsed = eventIds.Distinct().ToDictionary(id => id,
            id => SubgraphFilters.TryEntityId(SubgraphEntity.Event, id, out var key) ? (BigInteger)key : (BigInteger?)null);
        var keys = parsed.Values.OfType<BigInteger>().ToList();
        var loaded = await SubgraphBatch<BigInteger>.RunAsync(cache, keys,
            id => (byEvent ? CacheResources.TicketList : CacheResources.EventTickets(Text(id)), Variant(filter, query, "of:" + Text(id)), CacheTtl.EventTickets),
            async misses =>
            {
                var tickets = await _store.TicketsOfEventsAsync(misses, filter, query, CancellationToken.None);
                var byId = tickets.ToLookup(t => BigInteger.Parse(t.EventId, CultureInfo.InvariantCulture));
                return misses.ToDictionary(id => id, id => JsonSerializer.SerializeToUtf8Bytes(byId[id].ToList(), Json));
            }, ct);
        return parsed.ToDictionary(p => p.Key, p => p.Value is { } id && loaded.TryGetValue(id, out var json)
            ? (IReadOnlyList<SubgraphTicket>)Deserialize<List<SubgraphTicket>>(json)
            : []);
    }

    private async Task<IReadOnlyList<T>> CollectionAsync<T>(string resource, string variant, TimeSpan ttl,
        Func<CancellationToken, Task<List<T>>> load, CancellationToken ct)
    {
        var json = await cache.GetOrLoadAsync(resource, variant, ttl,
            async c => JsonSerializer.SerializeToUtf8Bytes(await load(c), Json), ct);
        return Deserialize<List<T>>(json!.Utf8Json);
    }

    /// <summary>The known ones of <paramref name="ids"/>, keyed as asked; a malformed id is absent without a query.</summary>
    private async Task<IReadOnlyDictionary<string, T>> ByIdAsync<T>(IReadOnlyCollection<string> ids, SubgraphEntity entity,
        Func<object, (string, string, TimeSpan)> entryOf, Func<IReadOnlyList<object>, Task<Dictionary<object, byte[]>>> load, CancellationToken ct)
    {
        var parsed = new Dictionary<string, object>(StringComparer.Ordinal);
        // A malformed id names nothing: absent, as The Graph answers null.
        foreach (var id in ids.Distinct())
            if (SubgraphFilters.TryEntityId(entity, id, out var key)) parsed[id] = key;
        var loaded = await SubgraphBatch<object>.RunAsync(cache, [.. parsed.Values.Distinct()], entryOf,
            async misses => await load(misses), ct);
        return parsed.Where(p => loaded.ContainsKey(p.Value)).ToDictionary(p => p.Key, p => Deserialize<T>(loaded[p.Value]));
    }

    private static AllFilter Parse(SubgraphEntity entity, SubgraphCollection query)
    {
        query.InRange();
        if (query.OrderBy is { } orderBy && !SubgraphFields.OrderByValues(entity).Contains(orderBy))
            throw new SubgraphQueryException($"`{orderBy}` is not an orderBy value of {entity}.");
        return SubgraphFilters.Parse(entity, query.Where);
    }

    /// <summary>Filtered or ordered by the event's own fields: any event's details change the answer.</summary>
    private static bool ByEvent(AllFilter filter, SubgraphCollection query) => SubgraphFilters.Nests(filter, "event") || OrdersBy(query, "event");

    private static bool OrdersBy(SubgraphCollection query, string reference) =>
        query.OrderBy?.StartsWith(reference + SubgraphFields.NestedOrderSeparator, StringComparison.Ordinal) == true;

    /// <summary>"subgraph:" and a hash of the canonical arguments: one entry per distinct query, of bounded length.</summary>
    private static string Variant(AllFilter filter, SubgraphCollection query, string scope = "")
    {
        var canonical = scope + "\n" + SubgraphFilters.Canonical(filter, query);
        return "subgraph:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    private static string Text(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);

    private static byte[] Serialize<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, Json);

    private static T Deserialize<T>(byte[] json) => JsonSerializer.Deserialize<T>(json, Json)!;

    public async Task<SubgraphMeta> MetaAsync(CancellationToken ct)
    {
        // The newest applied log's block (its hash and time when known), one index probe on (network, block_number).
        long? newest = null;
        string? hash = null;
        DateTimeOffset? time = null;
        await using (var command = dataSource.CreateCommand(
                         "SELECT block_number, block_hash, block_time FROM applied_logs WHERE network = $1 ORDER BY block_number DESC LIMIT 1"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = _network });
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                newest = reader.GetInt64(0);
                hash = reader.IsDBNull(1) ? null : reader.GetString(1);
                time = reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2);
            }
        }

        var reconciled = (await checkpoints.GetAsync(_network, ct))?.ReconciledBlock;
        var block = reconciled > (newest ?? long.MinValue)
            ? new SubgraphBlock(reconciled.Value, null, null)
            : new SubgraphBlock(Math.Max(newest ?? 0, 0), hash, time?.ToUnixTimeSeconds());
        var errors = (await deadLetters.ListAsync(1, ct)).Count > 0;
        return new SubgraphMeta(block, $"echain/{_network}", errors);
    }
}
