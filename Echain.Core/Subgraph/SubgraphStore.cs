using System.Numerics;
using Echain.Core.Projection;
using Npgsql;

namespace Echain.Core.Subgraph;

/// <summary>
/// The subgraph's statements over the projection: a collection is its entity's SELECT wrapped in the filter, the order
/// and the page; a batch of ids or of events is one statement with <c>= ANY</c>.
/// </summary>
internal sealed class SubgraphStore(NpgsqlDataSource dataSource, string network, string[] ticketContracts)
{
    public Task<List<SubgraphEvent>> EventsAsync(AllFilter filter, SubgraphCollection query, CancellationToken ct) =>
        CollectionAsync(SubgraphEntity.Event, filter, query, ReadEvent, ct);

    public Task<List<SubgraphTicket>> TicketsAsync(AllFilter filter, SubgraphCollection query, CancellationToken ct) =>
        CollectionAsync(SubgraphEntity.Ticket, filter, query, ReadTicket, ct);

    public Task<List<SubgraphTransaction>> TransactionsAsync(AllFilter filter, SubgraphCollection query, CancellationToken ct) =>
        CollectionAsync(SubgraphEntity.Transaction, filter, query, ReadTransaction, ct);

    public Task<List<SubgraphEvent>> EventsByIdAsync(IReadOnlyCollection<BigInteger> ids, CancellationToken ct)
    {
        var args = Arguments();
        var select = SubgraphTables.Select(SubgraphEntity.Event, args);
        return ListAsync(args, $"SELECT x.* FROM ({select}) x WHERE x.id = ANY({args.Add(ids.ToArray())})", ReadEvent, ct);
    }

    /// <summary>With several contracts sharing a token id, the lowest contract's ticket (the REST ticket's rule; every
    /// subgraph ticket's event is known).</summary>
    public Task<List<SubgraphTicket>> TicketsByIdAsync(IReadOnlyCollection<BigInteger> ids, CancellationToken ct)
    {
        var args = Arguments();
        var select = SubgraphTables.Select(SubgraphEntity.Ticket, args);
        return ListAsync(args,
            $"SELECT DISTINCT ON (x.id) x.* FROM ({select}) x WHERE x.id = ANY({args.Add(ids.ToArray())}) ORDER BY x.id, x._contract",
            ReadTicket, ct);
    }

    public Task<List<SubgraphTransaction>> TransactionsByIdAsync(IReadOnlyCollection<TransactionKey> ids, CancellationToken ct)
    {
        var args = Arguments();
        var select = SubgraphTables.Select(SubgraphEntity.Transaction, args);
        var hashes = args.Add(ids.Select(k => k.TxHash).ToArray());
        var logs = args.Add(ids.Select(k => k.LogIndex).ToArray());
        return ListAsync(args,
            $"SELECT x.* FROM ({select}) x JOIN unnest({hashes}::text[], {logs}::integer[]) k(tx, log) ON x._tx = k.tx AND x._log = k.log",
            ReadTransaction, ct);
    }

    /// <summary>Each event's page of its tickets: first and skip count per event (a window partitioned by the event).</summary>
    public Task<List<SubgraphTicket>> TicketsOfEventsAsync(
        IReadOnlyCollection<BigInteger> eventIds, AllFilter filter, SubgraphCollection query, CancellationToken ct)
    {
        var args = Arguments();
        var sql = new SubgraphSql(args);
        var select = SubgraphTables.Select(SubgraphEntity.Ticket, args);
        var events = args.Add(eventIds.ToArray());
        var where = sql.Where(SubgraphEntity.Ticket, filter, "x");
        var order = sql.OrderBy(SubgraphEntity.Ticket, query.OrderBy, query.Direction, "x");
        var skip = args.Add((long)query.Skip);
        var first = args.Add((long)query.First);
        return ListAsync(args,
            $"""
            SELECT y.* FROM (
                SELECT x.*, row_number() OVER (PARTITION BY x.event ORDER BY {order}) AS _rank
                FROM ({select}) x WHERE x.event = ANY({events}) AND {where}) y
            WHERE y._rank > {skip} AND y._rank <= {skip} + {first}
            ORDER BY y.event, y._rank
            """, ReadTicket, ct);
    }

    private SqlArguments Arguments() => new(network, ticketContracts);

    private Task<List<T>> CollectionAsync<T>(SubgraphEntity entity, AllFilter filter, SubgraphCollection query,
        Func<NpgsqlDataReader, T> read, CancellationToken ct)
    {
        var args = Arguments();
        var sql = new SubgraphSql(args);
        var select = SubgraphTables.Select(entity, args);
        var where = sql.Where(entity, filter, "x");
        var order = sql.OrderBy(entity, query.OrderBy, query.Direction, "x");
        return ListAsync(args,
            $"SELECT x.* FROM ({select}) x WHERE {where} ORDER BY {order} LIMIT {args.Add((long)query.First)} OFFSET {args.Add((long)query.Skip)}",
            read, ct);
    }

    private async Task<List<T>> ListAsync<T>(SqlArguments args, string sql, Func<NpgsqlDataReader, T> read, CancellationToken ct)
    {
        await using var command = args.Command(dataSource, sql);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct)) rows.Add(read(reader));
        return rows;
    }

    private static SubgraphEvent ReadEvent(NpgsqlDataReader r) => new(
        Number(r, 0)!, r.GetString(1), PgText.Read(r.GetString(2)), PgText.Read(r.GetString(3)), Number(r, 4)!, Number(r, 5)!,
        Number(r, 6)!, Number(r, 7)!, Number(r, 8)!, Number(r, 9)!);

    private static SubgraphTicket ReadTicket(NpgsqlDataReader r) => new(
        Number(r, 0)!, Number(r, 1)!, r.GetString(2), Number(r, 3)!, PgText.Read(r.GetString(4)), Number(r, 5)!, r.GetBoolean(6),
        Number(r, 7)!, Number(r, 8));

    private static SubgraphTransaction ReadTransaction(NpgsqlDataReader r) => new(
        r.GetString(0), Number(r, 1)!, Number(r, 2), r.GetString(3), r.GetString(4), Number(r, 5)!, r.GetString(6), Number(r, 7)!);

    private static string? Number(NpgsqlDataReader reader, int ordinal) => Sql.NullableDecimal(reader, ordinal);
}
