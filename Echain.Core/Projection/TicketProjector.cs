using System.Globalization;
using System.Numerics;
using System.Text.Json;
using Echain.Core.Chain;
using Echain.Core.Reads;
using Echain.Core.Realtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Echain.Core.Projection;

/// <summary>
/// Applies one contract log to PostgreSQL: idempotent (applied_logs), atomic (one transaction) and
/// order-independent (every overwrite is guarded by the writer's (block, log) version; counts are
/// derived; balances are sums). Returns what to invalidate and what to emit, and keeps the messages
/// in applied_logs as an outbox until <see cref="MarkDeliveredAsync"/>.
/// </summary>
public sealed class TicketProjector
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly ILogger<TicketProjector> _logger;
    private readonly ContractLogDecoder _decoder;

    public TicketProjector(NpgsqlDataSource dataSource, IOptions<EchainOptions> options, ILogger<TicketProjector> logger)
    {
        _dataSource = dataSource;
        _logger = logger;
        _decoder = new ContractLogDecoder(options);
    }

    public async Task<ProjectionOutcome> ApplyAsync(ChainEvent e, CancellationToken ct)
    {
        // Decode before touching the database: a malformed log is poison and must not open a transaction.
        var (contract, log, reason) = _decoder.Decode(e);
        if (log is null)
        {
            _logger.LogDebug("Ignored {Event} from {Contract} ({Key}): {Reason}", e.EventName, contract, e.Key, reason);
            return new ProjectionOutcome(e.Key, ProjectionStatus.Ignored, [], [], reason);
        }

        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);

        // Claims the log; a concurrent duplicate waits here until the first commits, then sees the row.
        var claimed = await ExecuteAsync(connection,
            """
            INSERT INTO applied_logs (network, tx_hash, log_index, event_name, contract, block_number)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
            """, ct, e.Network, e.TransactionHash, e.LogIndex, e.EventName, contract, e.BlockNumber);
        if (claimed == 0)
        {
            var stored = await ReadStoredAsync(connection, e.Key, ct);
            await transaction.CommitAsync(ct);
            return stored;
        }

        var effects = new Effects();
        var context = new LogContext(connection, e, contract, effects, ct);
        switch (log)
        {
            case EventCreatedLog created: await ApplyEventAsync(context, created.EventId, created, created.Details); break;
            case EventUpdatedLog updated: await ApplyEventAsync(context, updated.EventId, null, updated.Details); break;
            case TicketPurchasedLog purchased: await ApplyPurchaseAsync(context, purchased); break;
            case TicketTransferLog transfer: await ApplyTicketTransferAsync(context, transfer); break;
            case TicketUsedLog used: await ApplyTicketUsedAsync(context, used); break;
            case TokenTransferLog transfer: await ApplyTokenTransferAsync(context, transfer); break;
        }

        var resources = effects.Resources.ToArray();
        var messages = effects.Messages.ToArray();
        await ExecuteAsync(connection,
            "UPDATE applied_logs SET cache_resources = $4, messages = $5 WHERE network = $1 AND tx_hash = $2 AND log_index = $3",
            ct, e.Network, e.TransactionHash, e.LogIndex, resources,
            new NpgsqlParameter { Value = JsonSerializer.Serialize(messages, OutboxJson), NpgsqlDbType = NpgsqlDbType.Jsonb });
        await transaction.CommitAsync(ct);

        return new ProjectionOutcome(e.Key, ProjectionStatus.Applied, resources, messages);
    }

    /// <summary>The log's messages were emitted: a later redelivery must not emit them again.</summary>
    public async Task MarkDeliveredAsync(LogKey key, CancellationToken ct)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // The one write here that may be lost in a database crash: it would only mean the messages are
        // emitted once more on a redelivery. Skipping the WAL flush wait halves the commits per event.
        await ExecuteAsync(connection, "SET LOCAL synchronous_commit TO OFF", ct);
        await ExecuteAsync(connection,
            "UPDATE applied_logs SET delivered_at = now() WHERE network = $1 AND tx_hash = $2 AND log_index = $3 AND delivered_at IS NULL",
            ct, key.Network, key.TransactionHash, key.LogIndex);
        await transaction.CommitAsync(ct);
    }

    private static readonly JsonSerializerOptions OutboxJson = new(JsonSerializerDefaults.Web);

    private static async Task<ProjectionOutcome> ReadStoredAsync(NpgsqlConnection connection, LogKey key, CancellationToken ct)
    {
        await using var command = Command(connection,
            "SELECT cache_resources, messages::text, delivered_at IS NULL FROM applied_logs WHERE network = $1 AND tx_hash = $2 AND log_index = $3",
            key.Network, key.TransactionHash, key.LogIndex);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
            throw new InvalidOperationException($"applied_logs row {key} vanished inside its transaction.");
        var resources = reader.GetFieldValue<string[]>(0);
        // Re-invalidating is harmless and covers a crash between commit and invalidation;
        // messages are only owed while undelivered.
        var messages = reader.GetBoolean(2)
            ? JsonSerializer.Deserialize<RealtimeMessage[]>(reader.GetString(1), OutboxJson) ?? []
            : [];
        return new ProjectionOutcome(key, ProjectionStatus.AlreadyApplied, resources, messages);
    }

    // ---------------------------------------------------------------- events

    private static async Task ApplyEventAsync(LogContext c, BigInteger eventId, EventCreatedLog? created, EventDetails details)
    {
        await ExecuteAsync(c.Connection, "INSERT INTO events (event_id) VALUES ($1) ON CONFLICT DO NOTHING", c.Ct, eventId);

        StoredEvent stored;
        await using (var command = Command(c.Connection,
            """
            SELECT created, creator, max_tickets, created_block, created_log,
                   title, description, start_time, end_time, ticket_price, details_block, details_log
            FROM events WHERE event_id = $1 FOR UPDATE
            """, eventId))
        await using (var reader = await command.ExecuteReaderAsync(c.Ct))
        {
            await reader.ReadAsync(c.Ct);
            stored = new StoredEvent(
                reader.GetBoolean(0),
                NullableString(reader, 1),
                reader.IsDBNull(2) ? null : reader.GetFieldValue<BigInteger>(2),
                Version(reader, 3),
                new EventDetails(
                    NullableString(reader, 5) ?? "",
                    NullableString(reader, 6) ?? "",
                    reader.IsDBNull(7) ? default : reader.GetFieldValue<DateTimeOffset>(7),
                    reader.IsDBNull(8) ? default : reader.GetFieldValue<DateTimeOffset>(8),
                    reader.IsDBNull(9) ? BigInteger.Zero : reader.GetFieldValue<BigInteger>(9)),
                Version(reader, 10));
        }

        var version = (c.Event.BlockNumber, c.Event.LogIndex);
        var updates = new Dictionary<string, object?>(StringComparer.Ordinal);
        var id = Decimal(eventId);

        var created2 = stored.Created;
        var creator = stored.Creator;
        var maxTickets = stored.MaxTickets;
        var createdVersion = stored.CreatedVersion;
        if (created is not null && (!stored.Created || IsNewer(version, stored.CreatedVersion)))
        {
            created2 = true;
            createdVersion = version;
            if (creator != created.Creator) updates["creator"] = creator = created.Creator;
            if (maxTickets != created.MaxTickets) { maxTickets = created.MaxTickets; updates["maxTickets"] = Decimal(created.MaxTickets); }
        }

        var current = stored.Details;
        var detailsVersion = stored.DetailsVersion;
        var detailsWritten = stored.DetailsVersion is null || IsNewer(version, stored.DetailsVersion);
        if (detailsWritten)
        {
            var fresh = stored.DetailsVersion is null;
            if (fresh || current.Title != details.Title) updates["title"] = details.Title;
            if (fresh || current.Description != details.Description) updates["description"] = details.Description;
            if (fresh || current.StartTime != details.StartTime) updates["startTime"] = details.StartTime;
            if (fresh || current.EndTime != details.EndTime) updates["endTime"] = details.EndTime;
            if (fresh || current.TicketPrice != details.TicketPrice) updates["ticketPrice"] = Decimal(details.TicketPrice);
            current = details;
            detailsVersion = version;
        }

        await ExecuteAsync(c.Connection,
            """
            UPDATE events SET created = $2, creator = $3, max_tickets = $4, created_block = $5, created_log = $6,
                title = $7, description = $8, start_time = $9, end_time = $10, ticket_price = $11,
                details_block = $12, details_log = $13
            WHERE event_id = $1
            """, c.Ct, eventId, created2, creator, maxTickets, createdVersion?.Block, createdVersion?.Log,
            current.Title, current.Description, current.StartTime, current.EndTime, current.TicketPrice,
            detailsVersion?.Block, detailsVersion?.Log);

        if (updates.Count == 0) return;

        // Only a created event is visible; an EventUpdated seen first changes nothing anyone can read.
        if (created2)
        {
            c.Effects.Resources.Add(CacheResources.Event(id));
            c.Effects.Resources.Add(CacheResources.EventList);
            c.Effects.Resources.Add(CacheResources.EventAnalytics(id));
            // User ticket lists embed the event summary (title, start, end).
            if (updates.ContainsKey("title") || updates.ContainsKey("startTime") || updates.ContainsKey("endTime")
                || (created is not null && !stored.Created))
            {
                foreach (var holder in await QueryStringsAsync(c.Connection, c.Ct,
                             "SELECT DISTINCT holder FROM tickets WHERE event_id = $1 AND holder IS NOT NULL", eventId))
                    AddUser(c.Effects.Resources, CacheResources.UserTickets, holder);
            }
        }

        c.Effects.Messages.Add(RealtimeMessage.ToGroup(RealtimeTargets.EventUpdated,
            new EventUpdatedPayload(id, updates), RealtimeTargets.EventGroup(id)));
    }

    // ---------------------------------------------------------------- tickets

    private static async Task ApplyPurchaseAsync(LogContext c, TicketPurchasedLog p)
    {
        var ticket = await LockTicketAsync(c, p.TokenId);
        var version = (c.Event.BlockNumber, c.Event.LogIndex);
        var eventId = Decimal(p.EventId);
        var tokenId = Decimal(p.TokenId);

        // One purchase per token on-chain; the version guard only keeps replays of history deterministic.
        var newest = ticket.PurchaseVersion is null || IsNewer(version, ticket.PurchaseVersion);
        // Every activity row of the token carries the event of its newest purchase, whatever arrived first.
        await InsertActivityAsync(c, newest ? p.EventId : ticket.EventId, p.TokenId, "purchase",
            buyer: p.Buyer, price: p.Price);
        if (!newest && ticket.EventId is { } linked)
            c.Effects.Resources.Add(CacheResources.EventActivity(Decimal(linked)));
        if (newest)
        {
            await ExecuteAsync(c.Connection,
                """
                UPDATE tickets SET event_id = $3, buyer = $4, price = $5, ticket_type = $6, purchase_block = $7, purchase_log = $8
                WHERE contract = $1 AND token_id = $2
                """, c.Ct, c.Contract, p.TokenId, p.EventId, p.Buyer, p.Price, p.TicketType, c.Event.BlockNumber, c.Event.LogIndex);
            // Transfers and check-ins that arrived before this purchase join the event's activity now.
            await ExecuteAsync(c.Connection,
                "UPDATE event_activity SET event_id = $3 WHERE contract = $1 AND token_id = $2 AND event_id IS DISTINCT FROM $3",
                c.Ct, c.Contract, p.TokenId, p.EventId);

            AddEventResources(c.Effects.Resources, eventId);
            c.Effects.Resources.Add(CacheResources.EventList); // the list shows sold/available
            if (ticket.EventId is { } previous && previous != p.EventId)
                AddEventResources(c.Effects.Resources, Decimal(previous));

            var holderAfter = ticket.Owner ?? p.Buyer;
            AddUser(c.Effects.Resources, CacheResources.UserTickets, ticket.Holder);
            AddUser(c.Effects.Resources, CacheResources.UserTickets, holderAfter);

            // Transactions of this token now show its event id.
            if (ticket.EventId != p.EventId)
                foreach (var address in await QueryStringsAsync(c.Connection, c.Ct,
                             """
                             SELECT from_address FROM transfers WHERE contract = $1 AND token_id = $2
                             UNION SELECT to_address FROM transfers WHERE contract = $1 AND token_id = $2
                             """, c.Contract, p.TokenId))
                    AddUser(c.Effects.Resources, CacheResources.UserTransactions, address);
        }

        c.Effects.Messages.Add(RealtimeMessage.ToGroup(RealtimeTargets.TicketPurchased,
            new TicketPurchasedPayload(tokenId, p.Buyer, eventId), RealtimeTargets.EventGroup(eventId)));
        c.Effects.Messages.Add(RealtimeMessage.ToUser(RealtimeTargets.Notification,
            new NotificationPayload(p.Buyer, $"You bought ticket #{tokenId} for event #{eventId}.", RealtimeTargets.TicketPurchased),
            p.Buyer));
    }

    private static async Task ApplyTicketTransferAsync(LogContext c, TicketTransferLog t)
    {
        var mint = EthAddress.IsZero(t.From);
        var kind = mint ? "ticket-mint" : EthAddress.IsZero(t.To) ? "ticket-burn" : "ticket-transfer";
        await InsertTransferAsync(c, kind, t.From, t.To, t.TokenId, null);

        var ticket = await LockTicketAsync(c, t.TokenId);
        await InsertActivityAsync(c, ticket.EventId, t.TokenId, kind["ticket-".Length..], from: t.From, to: t.To);
        var version = (c.Event.BlockNumber, c.Event.LogIndex);
        var newest = ticket.OwnerVersion is null || IsNewer(version, ticket.OwnerVersion);
        await ExecuteAsync(c.Connection,
            """
            UPDATE tickets SET minted = minted OR $3,
                owner = CASE WHEN $4 THEN $5 ELSE owner END,
                owner_block = CASE WHEN $4 THEN $6 ELSE owner_block END,
                owner_log = CASE WHEN $4 THEN $7 ELSE owner_log END
            WHERE contract = $1 AND token_id = $2
            """, c.Ct, c.Contract, t.TokenId, mint, newest, t.To, c.Event.BlockNumber, c.Event.LogIndex);

        var tokenId = Decimal(t.TokenId);
        var eventId = ticket.EventId is { } known ? Decimal(known) : null;

        AddUser(c.Effects.Resources, CacheResources.UserTickets, ticket.Holder);
        AddUser(c.Effects.Resources, CacheResources.UserTickets, t.From);
        AddUser(c.Effects.Resources, CacheResources.UserTickets, t.To);
        AddUser(c.Effects.Resources, CacheResources.UserTransactions, t.From);
        AddUser(c.Effects.Resources, CacheResources.UserTransactions, t.To);
        if (eventId is not null)
        {
            AddEventResources(c.Effects.Resources, eventId);
            c.Effects.Messages.Add(RealtimeMessage.ToGroup(RealtimeTargets.TicketTransferred,
                new TicketTransferredPayload(tokenId, t.From, t.To, eventId), RealtimeTargets.EventGroup(eventId)));
        }

        if (!EthAddress.IsZero(t.From))
            c.Effects.Messages.Add(RealtimeMessage.ToUser(RealtimeTargets.Notification,
                new NotificationPayload(t.From, $"Ticket #{tokenId} was transferred to {t.To}.", RealtimeTargets.TicketTransferred),
                t.From));
        if (!EthAddress.IsZero(t.To))
            c.Effects.Messages.Add(RealtimeMessage.ToUser(RealtimeTargets.Notification,
                new NotificationPayload(t.To, mint ? $"Ticket #{tokenId} was minted to you." : $"You received ticket #{tokenId} from {t.From}.",
                    RealtimeTargets.TicketTransferred),
                t.To));
    }

    private static async Task ApplyTicketUsedAsync(LogContext c, TicketUsedLog u)
    {
        var ticket = await LockTicketAsync(c, u.TokenId);
        await InsertActivityAsync(c, ticket.EventId, u.TokenId, "check-in");
        await ExecuteAsync(c.Connection, "UPDATE tickets SET is_used = true WHERE contract = $1 AND token_id = $2",
            c.Ct, c.Contract, u.TokenId);

        var tokenId = Decimal(u.TokenId);
        AddUser(c.Effects.Resources, CacheResources.UserTickets, ticket.Holder);
        if (ticket.EventId is { } known)
        {
            var eventId = Decimal(known);
            AddEventResources(c.Effects.Resources, eventId);
            c.Effects.Messages.Add(RealtimeMessage.ToGroup(RealtimeTargets.EventUpdated,
                new EventUpdatedPayload(eventId, new Dictionary<string, object?> { ["ticketUsed"] = tokenId }),
                RealtimeTargets.EventGroup(eventId)));
        }
    }

    // ---------------------------------------------------------------- payment tokens

    private static async Task ApplyTokenTransferAsync(LogContext c, TokenTransferLog t)
    {
        var kind = EthAddress.IsZero(t.From) ? "token-mint" : EthAddress.IsZero(t.To) ? "token-burn" : "token-transfer";
        await InsertTransferAsync(c, kind, t.From, t.To, null, t.Value);

        var deltas = new SortedDictionary<string, BigInteger>(StringComparer.Ordinal);
        if (!EthAddress.IsZero(t.From)) deltas[t.From] = -t.Value;
        if (!EthAddress.IsZero(t.To)) deltas[t.To] = deltas.GetValueOrDefault(t.To) + t.Value;

        // Sorted holders: two opposite transfers applied concurrently lock rows in the same order.
        foreach (var (holder, delta) in deltas)
        {
            BigInteger balance;
            await using (var command = Command(c.Connection,
                """
                INSERT INTO balances (token, holder, balance) VALUES ($1, $2, $3)
                ON CONFLICT (token, holder) DO UPDATE SET balance = balances.balance + EXCLUDED.balance
                RETURNING balance
                """, c.Contract, holder, delta))
            {
                await using var reader = await command.ExecuteReaderAsync(c.Ct);
                await reader.ReadAsync(c.Ct);
                balance = reader.GetFieldValue<BigInteger>(0);
            }

            c.Effects.Resources.Add(CacheResources.UserBalances(holder));
            c.Effects.Resources.Add(CacheResources.UserTransactions(holder));
            c.Effects.Messages.Add(RealtimeMessage.ToUser(RealtimeTargets.BalanceUpdated,
                new BalanceUpdatedPayload(holder, Decimal(balance), c.Contract), holder));
        }
    }

    // ---------------------------------------------------------------- shared steps

    private static Task InsertTransferAsync(LogContext c, string kind, string from, string to, BigInteger? tokenId, BigInteger? value) =>
        ExecuteAsync(c.Connection,
            """
            INSERT INTO transfers (network, tx_hash, log_index, block_number, block_time, contract, kind, from_address, to_address, token_id, value)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING
            """, c.Ct, c.Event.Network, c.Event.TransactionHash, c.Event.LogIndex, c.Event.BlockNumber,
            c.Event.BlockTime?.ToUniversalTime(), c.Contract, kind, from, to, tokenId, value);

    /// <summary>
    /// One row of the event's activity for this log. Call with the ticket row locked: the purchase that links
    /// the token to its event updates the same rows under the same lock, so neither can miss the other.
    /// </summary>
    private static Task InsertActivityAsync(LogContext c, BigInteger? eventId, BigInteger tokenId, string kind,
        string? from = null, string? to = null, string? buyer = null, BigInteger? price = null) =>
        ExecuteAsync(c.Connection,
            """
            INSERT INTO event_activity (network, tx_hash, log_index, event_id, contract, token_id, kind,
                                        from_address, to_address, buyer, price, block_number, block_time)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING
            """, c.Ct, c.Event.Network, c.Event.TransactionHash, c.Event.LogIndex, eventId, c.Contract, tokenId, kind,
            from, to, buyer, price, c.Event.BlockNumber, c.Event.BlockTime?.ToUniversalTime());

    /// <summary>Creates the ticket row if this is the first log about the token, and locks it.</summary>
    private static async Task<StoredTicket> LockTicketAsync(LogContext c, BigInteger tokenId)
    {
        await ExecuteAsync(c.Connection, "INSERT INTO tickets (contract, token_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            c.Ct, c.Contract, tokenId);
        await using var command = Command(c.Connection,
            """
            SELECT event_id, owner, owner_block, owner_log, purchase_block, purchase_log, holder
            FROM tickets WHERE contract = $1 AND token_id = $2 FOR UPDATE
            """, c.Contract, tokenId);
        await using var reader = await command.ExecuteReaderAsync(c.Ct);
        await reader.ReadAsync(c.Ct);
        return new StoredTicket(
            reader.IsDBNull(0) ? null : reader.GetFieldValue<BigInteger>(0),
            NullableString(reader, 1),
            Version(reader, 2),
            Version(reader, 4),
            NullableString(reader, 6));
    }

    private static void AddEventResources(SortedSet<string> resources, string eventId)
    {
        resources.Add(CacheResources.Event(eventId));
        resources.Add(CacheResources.EventTickets(eventId));
        resources.Add(CacheResources.EventAnalytics(eventId));
        resources.Add(CacheResources.EventActivity(eventId));
    }

    private static void AddUser(SortedSet<string> resources, Func<string, string> resource, string? address)
    {
        if (address is not null && !EthAddress.IsZero(address)) resources.Add(resource(address));
    }

    private static bool IsNewer((long Block, int Log) candidate, (long Block, int Log)? stored) =>
        stored is not { } s || candidate.Block > s.Block || (candidate.Block == s.Block && candidate.Log > s.Log);

    private static (long Block, int Log)? Version(NpgsqlDataReader reader, int blockOrdinal) =>
        reader.IsDBNull(blockOrdinal) ? null : (reader.GetInt64(blockOrdinal), reader.GetInt32(blockOrdinal + 1));

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    private static string Decimal(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);

    // ---------------------------------------------------------------- plumbing

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, params object?[] args)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var arg in args)
            command.Parameters.Add(arg as NpgsqlParameter ?? new NpgsqlParameter { Value = arg ?? DBNull.Value });
        return command;
    }

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct, params object?[] args)
    {
        await using var command = Command(connection, sql, args);
        return await command.ExecuteNonQueryAsync(ct);
    }

    private static async Task<List<string>> QueryStringsAsync(NpgsqlConnection connection, CancellationToken ct, string sql, params object?[] args)
    {
        await using var command = Command(connection, sql, args);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var values = new List<string>();
        while (await reader.ReadAsync(ct)) values.Add(reader.GetString(0));
        return values;
    }

    private sealed record LogContext(NpgsqlConnection Connection, ChainEvent Event, string Contract, Effects Effects, CancellationToken Ct);

    private sealed class Effects
    {
        public SortedSet<string> Resources { get; } = new(StringComparer.Ordinal);
        public List<RealtimeMessage> Messages { get; } = [];
    }

    private sealed record StoredEvent(bool Created, string? Creator, BigInteger? MaxTickets, (long Block, int Log)? CreatedVersion,
        EventDetails Details, (long Block, int Log)? DetailsVersion);

    private sealed record StoredTicket(BigInteger? EventId, string? Owner, (long Block, int Log)? OwnerVersion,
        (long Block, int Log)? PurchaseVersion, string? Holder);
}
