using System.Numerics;
using Echain.Core.Chain;
using Echain.Core.Realtime;
using Npgsql;

namespace Echain.Core.Projection;

/// <summary>
/// The tickets aggregate: TicketPurchased, the ERC-721 Transfer and TicketUsed. Each locks the ticket row
/// first, so the logs of one token apply one at a time whatever order they arrive in.
/// </summary>
internal static partial class TicketProjection
{
    public static async Task ApplyAsync(ProjectionContext c, TicketPurchasedLog p)
    {
        var rows = Queue(c);
        var ticket = await LockTicketAsync(c, p.TokenId);
        var eventId = p.EventId.ToDecimal();
        var tokenId = p.TokenId.ToDecimal();

        // One purchase per token on-chain; the version guard only keeps replays of history deterministic.
        var newest = c.Version.IsNewerThan(ticket.PurchaseVersion);
        // Every activity row of the token carries the event of its newest purchase, whatever arrived first.
        rows.Queue(new ActivityRow(c, newest ? p.EventId : ticket.EventId, p.TokenId, "purchase", Buyer: p.Buyer, Price: p.Price, TicketType: p.TicketType));
        if (newest)
        {
            rows.Queue(Sql.BatchCommand(
                """
                UPDATE tickets SET event_id = $3, buyer = $4, price = $5, ticket_type = $6, purchase_block = $7, purchase_log = $8
                WHERE contract = $1 AND token_id = $2
                """, c.Contract, p.TokenId, p.EventId, p.Buyer, p.Price, PgText.Store(p.TicketType), c.Event.BlockNumber, c.Event.LogIndex));
            // Transfers and check-ins that arrived before this purchase join the event's activity now.
            rows.Queue(Sql.BatchCommand(
                "UPDATE event_activity SET event_id = $3 WHERE contract = $1 AND token_id = $2 AND event_id IS DISTINCT FROM $3",
                c.Contract, p.TokenId, p.EventId));
            // Transactions of this token now show its event id.
            if (ticket.EventId != p.EventId)
                rows.Queue(Sql.BatchCommand(
                    """
                    SELECT from_address FROM transfers WHERE contract = $1 AND token_id = $2
                    UNION SELECT to_address FROM transfers WHERE contract = $1 AND token_id = $2
                    """, c.Contract, p.TokenId), async reader =>
                {
                    while (await reader.ReadAsync(c.Ct)) c.Effects.UserTransactionsChanged(reader.GetString(0));
                });
            rows.Set(c.Contract, p.TokenId, ticket with { EventId = p.EventId, PurchaseVersion = c.Version, Holder = ticket.Owner ?? p.Buyer });
        }

        if (!newest && ticket.EventId is { } linked)
            c.Effects.EventActivityChanged(linked.ToDecimal());
        if (newest)
        {
            c.Effects.TicketChanged(tokenId);
            c.Effects.EventTicketsChanged(eventId);
            c.Effects.EventListChanged(); // the list shows sold/available
            if (ticket.EventId is { } previous && previous != p.EventId)
                c.Effects.EventTicketsChanged(previous.ToDecimal());

            var holderAfter = ticket.Owner ?? p.Buyer;
            c.Effects.UserTicketsChanged(ticket.Holder);
            c.Effects.UserTicketsChanged(holderAfter);
            c.Effects.UserPurchasesChanged(p.Buyer);
        }

        c.Effects.Emit(RealtimeMessage.ToGroup(RealtimeTargets.TicketPurchased,
            new TicketPurchasedPayload(tokenId, p.Buyer, eventId), RealtimeTargets.EventGroup(eventId)));
        c.Effects.Emit(TicketNotifications.Purchased(p.Buyer, tokenId, eventId));
    }

    public static async Task ApplyAsync(ProjectionContext c, TicketTransferLog t)
    {
        var mint = EthAddress.IsZero(t.From);
        var kind = mint ? "ticket-mint" : EthAddress.IsZero(t.To) ? "ticket-burn" : "ticket-transfer";
        var rows = Queue(c);
        var ticket = await LockTicketAsync(c, t.TokenId, TransferLog.Insert(c, kind, t.From, t.To, t.TokenId, null));
        var newest = c.Version.IsNewerThan(ticket.OwnerVersion);
        rows.Queue(new ActivityRow(c, ticket.EventId, t.TokenId, kind["ticket-".Length..], From: t.From, To: t.To));
        rows.Queue(Sql.BatchCommand(
            """
            UPDATE tickets SET minted = minted OR $3,
                owner = CASE WHEN $4 THEN $5 ELSE owner END,
                owner_block = CASE WHEN $4 THEN $6 ELSE owner_block END,
                owner_log = CASE WHEN $4 THEN $7 ELSE owner_log END
            WHERE contract = $1 AND token_id = $2
            """, c.Contract, t.TokenId, mint, newest, t.To, c.Event.BlockNumber, c.Event.LogIndex));
        if (newest) rows.Set(c.Contract, t.TokenId, ticket with { Owner = t.To, OwnerVersion = c.Version, Holder = t.To });

        var tokenId = t.TokenId.ToDecimal();
        var eventId = ticket.EventId?.ToDecimal();

        c.Effects.TicketChanged(tokenId);
        c.Effects.UserTicketsChanged(ticket.Holder);
        c.Effects.UserTicketsChanged(t.From);
        c.Effects.UserTicketsChanged(t.To);
        c.Effects.UserTransactionsChanged(t.From);
        c.Effects.UserTransactionsChanged(t.To);
        if (eventId is not null)
        {
            c.Effects.EventTicketsChanged(eventId);
            c.Effects.Emit(RealtimeMessage.ToGroup(RealtimeTargets.TicketTransferred,
                new TicketTransferredPayload(tokenId, t.From, t.To, eventId), RealtimeTargets.EventGroup(eventId)));
        }

        if (!EthAddress.IsZero(t.From))
            c.Effects.Emit(TicketNotifications.TransferredAway(t.From, tokenId, t.To));
        if (!EthAddress.IsZero(t.To))
            c.Effects.Emit(mint ? TicketNotifications.Minted(t.To, tokenId) : TicketNotifications.Received(t.To, tokenId, t.From));
    }

    public static async Task ApplyAsync(ProjectionContext c, TicketUsedLog u)
    {
        var rows = Queue(c);
        var ticket = await LockTicketAsync(c, u.TokenId);
        rows.Queue(new ActivityRow(c, ticket.EventId, u.TokenId, "check-in"));
        // The newest check-in's version: the ticket is final once every log it shows is.
        rows.Queue(Sql.BatchCommand(
            """
            UPDATE tickets SET is_used = true,
                used_block = CASE WHEN used_block IS NULL OR (used_block, used_log) < ($3, $4) THEN $3 ELSE used_block END,
                used_log = CASE WHEN used_block IS NULL OR (used_block, used_log) < ($3, $4) THEN $4 ELSE used_log END
            WHERE contract = $1 AND token_id = $2
            """, c.Contract, u.TokenId, c.Event.BlockNumber, c.Event.LogIndex));

        var tokenId = u.TokenId.ToDecimal();
        c.Effects.TicketChanged(tokenId);
        c.Effects.UserTicketsChanged(ticket.Holder);
        if (ticket.EventId is { } known)
        {
            var eventId = known.ToDecimal();
            c.Effects.EventTicketsChanged(eventId);
            c.Effects.Emit(RealtimeMessage.ToGroup(RealtimeTargets.EventUpdated,
                new EventUpdatedPayload(eventId, new Dictionary<string, object?> { ["ticketUsed"] = tokenId }),
                RealtimeTargets.EventGroup(eventId)));
        }
    }

    /// <summary>
    /// The ticket rows of a batch's logs, created when missing and locked first in (contract, token) order, so two batches
    /// touching the same tickets take them in one order instead of deadlocking on them; one round trip. Their rows go in
    /// <paramref name="rows"/>, which the batch's ticket logs then read instead of locking each.
    /// </summary>
    public static async Task LockRowsAsync(NpgsqlConnection connection, TicketRows rows, IReadOnlyCollection<(string Contract, BigInteger TokenId)> tickets,
        CancellationToken ct)
    {
        if (tickets.Count == 0) return;
        var contracts = tickets.Select(r => r.Contract).ToArray();
        var tokens = tickets.Select(r => r.TokenId).ToArray();
        rows.Queue(Sql.BatchCommand(
            """
            INSERT INTO tickets (contract, token_id)
            SELECT * FROM unnest($1::text[], $2::numeric[]) ORDER BY 1, 2 ON CONFLICT DO NOTHING
            """, contracts, tokens));
        rows.Queue(Sql.BatchCommand(
            $"""
            SELECT t.contract, t.token_id, {TicketRows.Columns}
            FROM tickets t JOIN unnest($1::text[], $2::numeric[]) AS r(contract, token_id)
                ON t.contract = r.contract AND t.token_id = r.token_id
            ORDER BY t.contract, t.token_id FOR UPDATE OF t
            """, contracts, tokens), async reader =>
        {
            while (await reader.ReadAsync(ct)) rows.Set(reader.GetString(0), reader.GetFieldValue<BigInteger>(1), TicketRows.Read(reader, 2));
        });
        await rows.SendAsync(connection, ct);
    }

    /// <summary>
    /// The ticket as the batch's logs so far left it. Else creates the row if this is the first log about the token and locks it, in
    /// the round trip that sends what the batch queued. <paramref name="before"/> are the log's own rows that need no lock.
    /// An undo has no batch: it reads and locks the row now, and writes at once.
    /// </summary>
    private static async Task<StoredTicket> LockTicketAsync(ProjectionContext c, BigInteger tokenId, params NpgsqlBatchCommand[] before)
    {
        var rows = c.Tickets ?? new TicketRows();
        foreach (var statement in before) rows.Queue(statement);
        if (rows.TryGet(c.Contract, tokenId, out var locked)) return locked;
        StoredTicket? ticket = null;
        rows.Queue(Sql.BatchCommand("INSERT INTO tickets (contract, token_id) VALUES ($1, $2) ON CONFLICT DO NOTHING", c.Contract, tokenId));
        rows.Queue(Sql.BatchCommand($"SELECT {TicketRows.Columns} FROM tickets WHERE contract = $1 AND token_id = $2 FOR UPDATE", c.Contract, tokenId),
            async reader =>
            {
                if (await reader.ReadAsync(c.Ct)) ticket = TicketRows.Read(reader, 0);
            });
        await rows.SendAsync(c.Connection, c.Ct);
        if (ticket is null) throw new InvalidOperationException($"The tickets row of {tokenId} vanished inside its transaction.");
        rows.Set(c.Contract, tokenId, ticket);
        return ticket;
    }

    /// <summary>Where a ticket log applied in a batch queues its writes.</summary>
    private static TicketRows Queue(ProjectionContext c) =>
        c.Tickets ?? throw new InvalidOperationException($"{c.Event.Key} is applied outside a batch; ticket logs queue their writes in one.");
}
