using Npgsql;

namespace Echain.Core.Subgraph;

/// <summary>
/// The parameters of one statement, as Npgsql's positional <c>$n</c>. The network and the ticket contracts are added
/// once, when a part of the statement first needs them.
/// </summary>
internal sealed class SqlArguments(string network, string[] ticketContracts)
{
    private readonly List<NpgsqlParameter> _parameters = [];
    private string? _network;
    private string? _contracts;

    public string Add(object value)
    {
        _parameters.Add(new NpgsqlParameter { Value = value });
        return "$" + _parameters.Count;
    }

    public string Network => _network ??= Add(network);

    public string TicketContracts => _contracts ??= Add(ticketContracts);

    public NpgsqlCommand Command(NpgsqlDataSource dataSource, string sql)
    {
        var command = dataSource.CreateCommand(sql);
        command.Parameters.AddRange(_parameters.ToArray());
        return command;
    }
}

/// <summary>
/// Each entity as one SELECT whose columns are named for its GraphQL fields (in catalog order, then the hidden keys
/// starting with '_'): filters, orders and nested filters all address those names. Numbers and ids of events and
/// tickets are numeric, times unix seconds.
/// </summary>
internal static class SubgraphTables
{
    /// <summary>Fields stored through PgText: a filter value is stored the same way before it is compared.</summary>
    public static bool IsStoredText(SubgraphEntity entity, string field) =>
        (entity, field) is (SubgraphEntity.Event, "title" or "description") or (SubgraphEntity.Ticket, "ticketType");

    public static string Select(SubgraphEntity entity, SqlArguments args) => entity switch
    {
        SubgraphEntity.Event => Events(args),
        SubgraphEntity.Ticket => Tickets(args),
        SubgraphEntity.Transaction => Transactions(args),
        _ => throw new ArgumentOutOfRangeException(nameof(entity)),
    };

    /// <summary>The condition that the row <paramref name="inner"/> of the referenced entity is what <paramref name="outer"/> references.</summary>
    public static string Joins(SubgraphField reference, string outer, string inner) => reference.References switch
    {
        SubgraphEntity.Event => $"{inner}.id = {outer}.event",
        // A token id names a ticket within its contract.
        SubgraphEntity.Ticket => $"{inner}.id = {outer}.ticket AND {inner}._contract = {outer}._contract",
        _ => throw new ArgumentOutOfRangeException(nameof(reference)),
    };

    private static string Epoch(string time) => $"floor(extract(epoch FROM {time}))";

    /// <summary>The time of the applied log at (block, log): its block's time, or when Echain applied it.</summary>
    private static string LogTime(SqlArguments args, string block, string log) =>
        $"""
        coalesce((SELECT {Epoch("coalesce(l.block_time, l.applied_at)")} FROM applied_logs l
                  WHERE l.network = {args.Network} AND l.block_number = {block} AND l.log_index = {log} LIMIT 1), 0)
        """;

    private static string Events(SqlArguments args) =>
        $"""
        SELECT e.event_id AS id, coalesce(e.creator, '') AS creator, coalesce(e.title, '') AS title,
               coalesce(e.description, '') AS description, coalesce({Epoch("e.start_time")}, 0) AS "startTime",
               coalesce({Epoch("e.end_time")}, 0) AS "endTime", coalesce(e.max_tickets, 0) AS "maxTickets",
               coalesce(e.ticket_price, 0) AS "ticketPrice", {LogTime(args, "e.created_block", "e.created_log")} AS "createdAt",
               {LogTime(args, "coalesce(e.details_block, e.created_block)", "coalesce(e.details_log, e.created_log)")} AS "updatedAt"
        FROM events e WHERE e.created
        """;

    private static string Tickets(SqlArguments args) =>
        $"""
        SELECT t.token_id AS id, t.event_id AS event, coalesce(t.holder, '{Chain.EthAddress.Zero}') AS owner, t.token_id AS "tokenId",
               coalesce(t.ticket_type, '') AS "ticketType", coalesce(t.price, 0) AS price, t.is_used AS "isUsed",
               {LogTime(args, "t.purchase_block", "t.purchase_log")} AS "createdAt",
               (SELECT {Epoch("coalesce(x.block_time, l.applied_at)")}
                FROM transfers x
                LEFT JOIN applied_logs l ON l.network = x.network AND l.tx_hash = x.tx_hash AND l.log_index = x.log_index
                WHERE x.contract = t.contract AND x.token_id = t.token_id AND x.kind <> 'ticket-mint' AND x.network = {args.Network}
                ORDER BY x.block_number DESC, x.log_index DESC LIMIT 1) AS "transferredAt",
               t.contract AS _contract
        FROM tickets t WHERE t.event_id IS NOT NULL AND t.contract = ANY({args.TicketContracts})
            -- Ticket.event is non-null: a ticket shows once its event is created (a purchase can arrive first).
            AND EXISTS (SELECT 1 FROM events e WHERE e.event_id = t.event_id AND e.created)
        """;

    private static string Transactions(SqlArguments args) =>
        $"""
        SELECT a.tx_hash || '-' || a.log_index AS id, a.event_id AS event, a.token_id AS ticket,
               CASE a.kind WHEN 'purchase' THEN coalesce(a.buyer, '') WHEN 'check-in' THEN a.contract ELSE coalesce(a.from_address, '') END AS "from",
               CASE a.kind WHEN 'purchase' THEN a.contract WHEN 'check-in' THEN a.contract ELSE coalesce(a.to_address, '') END AS "to",
               CASE a.kind WHEN 'purchase' THEN coalesce(a.price, 0) ELSE 0 END::numeric AS value,
               a.kind AS "transactionType",
               coalesce({Epoch("coalesce(a.block_time, (SELECT l.applied_at FROM applied_logs l WHERE l.network = a.network AND l.tx_hash = a.tx_hash AND l.log_index = a.log_index))")}, 0) AS timestamp,
               a.tx_hash AS _tx, a.log_index AS _log, a.contract AS _contract
        FROM event_activity a WHERE a.event_id IS NOT NULL AND a.network = {args.Network}
            AND EXISTS (SELECT 1 FROM events e WHERE e.event_id = a.event_id AND e.created)
        """;
}
