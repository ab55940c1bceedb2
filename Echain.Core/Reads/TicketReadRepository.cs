using System.Globalization;
using System.Numerics;
using Echain.Core.Chain;
using Echain.Core.Chain.Rpc;
using Echain.Core.Projection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Echain.Core.Reads;

/// <summary>
/// The read side over the projection tables. Pages are keyset-paginated with opaque cursors
/// (base64url of the last row's keys): stable under concurrent inserts, no OFFSET scans.
/// Invalid input (id, address, cursor, limit) throws <see cref="InvalidReadArgumentException"/>: the host answers 400.
/// Every ticket, transaction, activity item and balance says whether it is final (ReadModels.cs says when).
/// </summary>
public sealed class TicketReadRepository(NpgsqlDataSource dataSource, IOptions<ChainOptions> chain, IOptions<EchainOptions> contracts)
{
    public const int MaxPageSize = 200;

    private readonly string _network = chain.Value.Network;
    // A token id alone names a ticket only within one contract: the configured ones, so the lookup stays on the primary key.
    private readonly string[] _ticketContracts = [.. contracts.Value.TicketContractAddresses().Distinct()];

    /// <summary>
    /// The configured network's reconciled block, read by an uncorrelated subquery (one InitPlan per read, the
    /// scan's plan unchanged). No checkpoint yields NULL: every comparison with it is unknown, i.e. not final.
    /// </summary>
    private static string Reconciled(int networkParameter) =>
        $"(SELECT c.reconciled_block FROM chain_checkpoints c WHERE c.network = ${networkParameter})";

    /// <summary>A ticket shows its purchase, its owner and its check-in: final when the newest of them is.</summary>
    private static string TicketFinal(int networkParameter) =>
        $"coalesce(greatest(t.purchase_block, t.owner_block, t.used_block) <= {Reconciled(networkParameter)}, false)";

    private const string EventColumns =
        """
        e.event_id, e.creator, e.title, e.description, e.start_time, e.end_time, e.max_tickets, e.ticket_price,
        (SELECT count(*) FROM tickets t WHERE t.event_id = e.event_id) AS sold
        """;

    /// <summary>Null when unknown, or when only an EventUpdated has been seen (not created yet).</summary>
    public async Task<EventView?> GetEventAsync(string eventId, CancellationToken ct = default)
    {
        var id = ParseId(eventId, nameof(eventId));
        await using var command = dataSource.CreateCommand($"SELECT {EventColumns} FROM events e WHERE e.event_id = $1 AND e.created");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadEvent(reader) : null;
    }

    /// <summary>
    /// One ticket by token id, null when no log of it is known. One ticket contract is the rule; with several sharing an
    /// id, the ticket whose event is known wins, then the lowest contract address (deterministic).
    /// </summary>
    public async Task<TicketView?> GetTicketAsync(string tokenId, CancellationToken ct = default)
    {
        var id = ParseId(tokenId, nameof(tokenId));
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT t.token_id, t.event_id, t.holder, t.ticket_type, t.price, t.is_used, {TicketFinal(3)}
            FROM tickets t WHERE t.contract = ANY($2) AND t.token_id = $1
            ORDER BY t.event_id IS NULL, t.contract LIMIT 1
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = _ticketContracts });
        command.Parameters.Add(new NpgsqlParameter { Value = _network });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new TicketView(Number(reader, 0)!, Number(reader, 1), String(reader, 2) ?? EthAddress.Zero,
            PgText.ReadNullable(String(reader, 3)), Number(reader, 4), reader.GetBoolean(5), reader.GetBoolean(6));
    }

    /// <summary>Created events, newest (highest id) first.</summary>
    public async Task<Page<EventView>> ListEventsAsync(string? cursor, int limit, CancellationToken ct = default)
    {
        CheckLimit(limit);
        BigInteger? after = null;
        if (cursor is not null)
        {
            var keys = ReadCursor.DecodeCursor(cursor, "e", 1);
            after = ReadCursor.ParseCursorNumber(keys[0]);
        }

        await using var command = dataSource.CreateCommand(
            $"""
             SELECT {EventColumns} FROM events e
             WHERE e.created AND ($1::numeric IS NULL OR e.event_id < $1)
             ORDER BY e.event_id DESC LIMIT $2
             """);
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)after ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = limit + 1 });
        var items = new List<EventView>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) items.Add(ReadEvent(reader));
        return ToPage(items, limit, last => ReadCursor.EncodeCursor("e", last.EventId));
    }

    /// <summary>The event's purchased tickets by token id (keyset).</summary>
    public async Task<Page<TicketView>> GetEventTicketsAsync(string eventId, string? cursor, int limit, CancellationToken ct = default)
    {
        var id = ParseId(eventId, nameof(eventId));
        CheckLimit(limit);
        BigInteger? afterToken = null;
        string? afterContract = null;
        if (cursor is not null)
        {
            var keys = ReadCursor.DecodeCursor(cursor, "t", 2);
            afterToken = ReadCursor.ParseCursorNumber(keys[0]);
            afterContract = keys[1];
        }

        await using var command = dataSource.CreateCommand(
            $"""
            SELECT t.token_id, t.event_id, t.holder, t.ticket_type, t.price, t.is_used, t.contract, {TicketFinal(5)}
            FROM tickets t
            WHERE t.event_id = $1 AND ($2::numeric IS NULL OR (t.token_id, t.contract) > ($2::numeric, $3::text))
            ORDER BY t.token_id, t.contract LIMIT $4
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)afterToken ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)afterContract ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = limit + 1 });
        command.Parameters.Add(new NpgsqlParameter { Value = _network });
        var rows = new List<(TicketView Ticket, string Contract)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            rows.Add((new TicketView(
                Number(reader, 0)!, Number(reader, 1), String(reader, 2) ?? EthAddress.Zero, PgText.ReadNullable(String(reader, 3)),
                Number(reader, 4), reader.GetBoolean(5), reader.GetBoolean(7)), reader.GetString(6)));
        var page = ToPage(rows, limit, last => ReadCursor.EncodeCursor("t", last.Ticket.TokenId, last.Contract));
        return new Page<TicketView>(page.Items.Select(r => r.Ticket).ToList(), page.NextCursor);
    }

    /// <summary>Tickets the address holds now (newest transfer's `to`, or the buyer when no transfer is known).</summary>
    public async Task<ItemList<UserTicketView>> GetUserTicketsAsync(string address, CancellationToken ct = default)
    {
        var holder = ParseAddress(address);
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT t.token_id, t.event_id, t.holder, t.ticket_type, t.price, t.is_used,
                   e.event_id, e.title, e.start_time, e.end_time, {TicketFinal(2)}
            FROM tickets t LEFT JOIN events e ON e.event_id = t.event_id AND e.created
            WHERE t.holder = $1
            ORDER BY t.token_id, t.contract
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = holder });
        command.Parameters.Add(new NpgsqlParameter { Value = _network });
        var items = new List<UserTicketView>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var summary = reader.IsDBNull(6)
                ? null
                : new EventSummary(Number(reader, 6)!, PgText.Read(reader.GetString(7)),
                    reader.GetFieldValue<DateTimeOffset>(8), reader.GetFieldValue<DateTimeOffset>(9));
            items.Add(new UserTicketView(Number(reader, 0)!, Number(reader, 1), reader.GetString(2), PgText.ReadNullable(String(reader, 3)),
                Number(reader, 4), reader.GetBoolean(5), summary, reader.GetBoolean(10)));
        }
        return new ItemList<UserTicketView>(items);
    }

    /// <summary>
    /// Every payment token the address was seen with (a zero balance included). A negative sum only means a
    /// transfer into the holder is still unseen: shown as 0. Final once observed with no transfer after the
    /// observation (one index range per side of the transfers).
    /// </summary>
    public async Task<ItemList<BalanceView>> GetUserBalancesAsync(string address, CancellationToken ct = default)
    {
        var holder = ParseAddress(address);
        await using var command = dataSource.CreateCommand(
            """
            SELECT b.token, greatest(b.balance, 0),
                   b.chain_block IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM transfers x
                                   WHERE x.from_address = b.holder AND x.block_number > b.chain_block AND x.contract = b.token)
                   AND NOT EXISTS (SELECT 1 FROM transfers x
                                   WHERE x.to_address = b.holder AND x.block_number > b.chain_block AND x.contract = b.token)
            FROM balances b WHERE b.holder = $1 ORDER BY b.token
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = holder });
        var items = new List<BalanceView>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) items.Add(new BalanceView(reader.GetString(0), Number(reader, 1)!, reader.GetBoolean(2)));
        return new ItemList<BalanceView>(items);
    }

    /// <summary>Transfers from or to the address, newest first by (block, log) (keyset).</summary>
    public async Task<Page<TransactionView>> GetUserTransactionsAsync(string address, string? cursor, int limit, CancellationToken ct = default)
    {
        var party = ParseAddress(address);
        CheckLimit(limit);
        var before = cursor is null ? default : ReadCursor.DecodeBlockCursor(cursor, "x");

        // One index range scan per side instead of an OR that would defeat both indexes.
        await using var command = dataSource.CreateCommand(
            $"""
            SELECT x.tx_hash, x.log_index, x.block_number, x.block_time, x.kind, x.contract, x.from_address, x.to_address,
                   x.token_id, x.value, t.event_id, coalesce(x.network = $6 AND x.block_number <= {Reconciled(6)}, false)
            FROM (
                (SELECT * FROM transfers WHERE from_address = $1
                    AND ($2::bigint IS NULL OR (block_number, log_index, tx_hash) < ($2::bigint, $3::integer, $4::text))
                    ORDER BY block_number DESC, log_index DESC, tx_hash DESC LIMIT $5)
                UNION
                (SELECT * FROM transfers WHERE to_address = $1
                    AND ($2::bigint IS NULL OR (block_number, log_index, tx_hash) < ($2::bigint, $3::integer, $4::text))
                    ORDER BY block_number DESC, log_index DESC, tx_hash DESC LIMIT $5)
            ) x
            LEFT JOIN tickets t ON x.token_id IS NOT NULL AND t.contract = x.contract AND t.token_id = x.token_id
            ORDER BY x.block_number DESC, x.log_index DESC, x.tx_hash DESC LIMIT $5
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = party });
        AddBlockKeyset(command, before, limit);
        command.Parameters.Add(new NpgsqlParameter { Value = _network });
        var items = new List<TransactionView>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            items.Add(new TransactionView(
                reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2),
                reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
                reader.GetString(4), reader.GetString(5), reader.GetString(6), reader.GetString(7),
                Number(reader, 8), Number(reader, 9), Number(reader, 10), reader.GetBoolean(11)));
        return ToPage(items, limit, last => ReadCursor.EncodeBlockCursor("x", last.BlockNumber, last.LogIndex, last.TxHash));
    }

    /// <summary>The event's purchases, mints, transfers, burns and check-ins, newest first by (block, log) (keyset).</summary>
    public async Task<Page<ActivityView>> GetEventActivityAsync(string eventId, string? cursor, int limit, CancellationToken ct = default)
    {
        var id = ParseId(eventId, nameof(eventId));
        CheckLimit(limit);
        var before = cursor is null ? default : ReadCursor.DecodeBlockCursor(cursor, "a");

        await using var command = dataSource.CreateCommand(
            $"""
            SELECT a.kind, a.token_id, a.from_address, a.to_address, a.buyer, a.price,
                   a.tx_hash, a.log_index, a.block_number, a.block_time,
                   coalesce(a.network = $6 AND a.block_number <= {Reconciled(6)}, false)
            FROM event_activity a
            WHERE a.event_id = $1
              AND ($2::bigint IS NULL OR (a.block_number, a.log_index, a.tx_hash) < ($2::bigint, $3::integer, $4::text))
            ORDER BY a.block_number DESC, a.log_index DESC, a.tx_hash DESC LIMIT $5
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        AddBlockKeyset(command, before, limit);
        command.Parameters.Add(new NpgsqlParameter { Value = _network });
        var items = new List<ActivityView>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            items.Add(new ActivityView(
                reader.GetString(0), Number(reader, 1)!, String(reader, 2), String(reader, 3), String(reader, 4), Number(reader, 5),
                reader.GetString(6), reader.GetInt32(7), reader.GetInt64(8),
                reader.IsDBNull(9) ? null : reader.GetFieldValue<DateTimeOffset>(9), reader.GetBoolean(10)));
        return ToPage(items, limit, last => ReadCursor.EncodeBlockCursor("a", last.BlockNumber, last.LogIndex, last.TxHash));
    }

    // ---------------------------------------------------------------- helpers

    private static EventView ReadEvent(NpgsqlDataReader reader)
    {
        var max = reader.GetFieldValue<BigInteger>(6);
        var sold = reader.GetInt64(8);
        var available = BigInteger.Max(BigInteger.Zero, max - sold);
        return new EventView(
            Number(reader, 0)!, reader.GetString(1), PgText.Read(reader.GetString(2)), PgText.Read(reader.GetString(3)),
            reader.GetFieldValue<DateTimeOffset>(4), reader.GetFieldValue<DateTimeOffset>(5),
            max.ToString(CultureInfo.InvariantCulture), Number(reader, 7)!, sold, available.ToString(CultureInfo.InvariantCulture));
    }

    private static Page<T> ToPage<T>(List<T> rows, int limit, Func<T, string> cursorOf)
    {
        // One row beyond the limit was fetched only to know whether a next page exists.
        if (rows.Count <= limit) return new Page<T>(rows, null);
        rows.RemoveAt(rows.Count - 1);
        return new Page<T>(rows, cursorOf(rows[^1]));
    }

    private static string? Number(NpgsqlDataReader reader, int ordinal) => Sql.NullableDecimal(reader, ordinal);

    private static string? String(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static void CheckLimit(int limit)
    {
        if (limit is < 1 or > MaxPageSize)
            throw new InvalidReadArgumentException("limit", $"limit must be an integer from 1 to {MaxPageSize}.");
    }

    private static BigInteger ParseId(string value, string name) =>
        Uint256.TryParse(value, out var id) ? id : throw new InvalidReadArgumentException(name, $"'{value}' is not an id (a uint256 in decimal or 0x hex).");

    private static string ParseAddress(string value) =>
        EthAddress.TryNormalize(value, out var address)
            ? address
            : throw new InvalidReadArgumentException("address", $"'{value}' is not an address (0x followed by 40 hex digits).");

    /// <summary>$2..$4: the block position a newest-first page continues after (NULLs on the first page);
    /// $5: the page size plus the one row that tells whether a next page exists.</summary>
    private static void AddBlockKeyset(NpgsqlCommand command, (long? Block, int? Log, string? Tx) before, int limit)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)before.Block ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)before.Log ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)before.Tx ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = limit + 1 });
    }
}
