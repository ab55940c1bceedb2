using System.Numerics;
using Echain.Core.Chain;
using Echain.Core.Realtime;

namespace Echain.Core.Projection;

/// <summary>
/// Undoing the ticket logs a reorg dropped: each deletes its own rows, then recomputes the ticket's fields from
/// the rows that remain (the newest by (block, log)), so an undo commutes with every other log of the token.
/// </summary>
internal static partial class TicketProjection
{
    public static async Task RevertAsync(ProjectionContext c, TicketTransferLog t)
    {
        var ticket = await LockTicketAsync(c, t.TokenId);
        await TransferLog.DeleteAsync(c);
        await ActivityLog.DeleteAsync(c);
        // A row subquery with no row sets the owner back to null: no transfer of the token remains.
        var holder = (string?)await ScalarAsync(c,
            """
            UPDATE tickets SET (owner, owner_block, owner_log) =
                (SELECT to_address, block_number, log_index FROM transfers
                 WHERE contract = $1 AND token_id = $2 ORDER BY block_number DESC, log_index DESC LIMIT 1),
                minted = EXISTS (SELECT 1 FROM transfers WHERE contract = $1 AND token_id = $2 AND kind = 'ticket-mint')
            WHERE contract = $1 AND token_id = $2 RETURNING holder
            """, c.Contract, t.TokenId);

        var tokenId = t.TokenId.ToDecimal();
        c.Effects.TicketChanged(tokenId);
        c.Effects.UserTicketsChanged(ticket.Holder);
        c.Effects.UserTicketsChanged(holder);
        c.Effects.UserTicketsChanged(t.From);
        c.Effects.UserTicketsChanged(t.To);
        c.Effects.UserTransactionsChanged(t.From);
        c.Effects.UserTransactionsChanged(t.To);
        if (ticket.EventId is { } known)
        {
            var kind = EthAddress.IsZero(t.From) ? "mint" : EthAddress.IsZero(t.To) ? "burn" : "transfer";
            c.Effects.EventTicketsChanged(known.ToDecimal());
            EmitReverted(c, known.ToDecimal(), tokenId, kind);
        }

        NotifyHolderChange(c, tokenId, ticket.Holder, holder);
        await ForgetIfUnknownAsync(c, t.TokenId);
    }

    public static async Task RevertAsync(ProjectionContext c, TicketPurchasedLog p)
    {
        var ticket = await LockTicketAsync(c, p.TokenId);
        await ActivityLog.DeleteAsync(c);
        // The purchase fields come from the newest purchase that remains, or go back to null. Its activity row carries
        // the event of the token's newest purchase (rows are re-linked), so its own event comes from its applied log.
        BigInteger? eventId = null;
        string? holder, buyer;
        await using (var command = Sql.Command(c.Connection,
            """
            UPDATE tickets SET (event_id, buyer, price, ticket_type, purchase_block, purchase_log) =
                (SELECT (l.parameters->>'eventId')::numeric, a.buyer, a.price, a.ticket_type, a.block_number, a.log_index
                 FROM event_activity a
                 JOIN applied_logs l ON l.network = a.network AND l.tx_hash = a.tx_hash AND l.log_index = a.log_index
                 WHERE a.contract = $1 AND a.token_id = $2 AND a.kind = 'purchase'
                 ORDER BY a.block_number DESC, a.log_index DESC LIMIT 1)
            WHERE contract = $1 AND token_id = $2 RETURNING event_id, holder, buyer
            """, c.Contract, p.TokenId))
        await using (var reader = await command.ExecuteReaderAsync(c.Ct))
        {
            await reader.ReadAsync(c.Ct);
            if (!reader.IsDBNull(0)) eventId = reader.GetFieldValue<BigInteger>(0);
            holder = Sql.NullableString(reader, 1);
            buyer = Sql.NullableString(reader, 2);
        }

        await Sql.ExecuteAsync(c.Connection,
            "UPDATE event_activity SET event_id = $3 WHERE contract = $1 AND token_id = $2 AND event_id IS DISTINCT FROM $3",
            c.Ct, c.Contract, p.TokenId, eventId);

        var tokenId = p.TokenId.ToDecimal();
        c.Effects.TicketChanged(tokenId);
        c.Effects.EventListChanged(); // sold/available
        c.Effects.UserTicketsChanged(ticket.Holder);
        c.Effects.UserTicketsChanged(holder);
        // The undone purchase's buyer spent less; a remaining older purchase's buyer (restored above) spent it again.
        c.Effects.UserPurchasesChanged(p.Buyer);
        c.Effects.UserPurchasesChanged(buyer);
        var affected = new[] { p.EventId, ticket.EventId, eventId }.OfType<BigInteger>().Distinct();
        foreach (var affectedEvent in affected)
        {
            var id = affectedEvent.ToDecimal();
            c.Effects.EventTicketsChanged(id);
            var sold = (long)(await ScalarAsync(c, "SELECT count(*) FROM tickets WHERE event_id = $1", affectedEvent))!;
            var updates = new Dictionary<string, object?>(StringComparer.Ordinal) { ["ticketsSold"] = sold };
            if (affectedEvent == p.EventId) updates["reverted"] = Reverted(tokenId, "purchase");
            c.Effects.Emit(RealtimeMessage.ToGroup(RealtimeTargets.EventUpdated, new EventUpdatedPayload(id, updates),
                RealtimeTargets.EventGroup(id)));
        }

        // Transactions of this token show its event id.
        if (ticket.EventId != eventId)
            foreach (var address in await Sql.QueryStringsAsync(c.Connection, c.Ct,
                         """
                         SELECT from_address FROM transfers WHERE contract = $1 AND token_id = $2
                         UNION SELECT to_address FROM transfers WHERE contract = $1 AND token_id = $2
                         """, c.Contract, p.TokenId))
                c.Effects.UserTransactionsChanged(address);

        NotifyHolderChange(c, tokenId, ticket.Holder, holder);
        await ForgetIfUnknownAsync(c, p.TokenId);
    }

    public static async Task RevertAsync(ProjectionContext c, TicketUsedLog u)
    {
        var ticket = await LockTicketAsync(c, u.TokenId);
        await ActivityLog.DeleteAsync(c);
        await Sql.ExecuteAsync(c.Connection,
            """
            UPDATE tickets t SET is_used = newest.block_number IS NOT NULL, used_block = newest.block_number, used_log = newest.log_index
            FROM (SELECT NULL) always
            LEFT JOIN LATERAL (
                SELECT a.block_number, a.log_index FROM event_activity a
                WHERE a.contract = $1 AND a.token_id = $2 AND a.kind = 'check-in'
                ORDER BY a.block_number DESC, a.log_index DESC LIMIT 1) newest ON true
            WHERE t.contract = $1 AND t.token_id = $2
            """, c.Ct, c.Contract, u.TokenId);

        c.Effects.TicketChanged(u.TokenId.ToDecimal());
        c.Effects.UserTicketsChanged(ticket.Holder);
        if (ticket.EventId is { } known)
        {
            c.Effects.EventTicketsChanged(known.ToDecimal());
            EmitReverted(c, known.ToDecimal(), u.TokenId.ToDecimal(), "check-in");
        }

        await ForgetIfUnknownAsync(c, u.TokenId);
    }

    private static Dictionary<string, string> Reverted(string tokenId, string kind) =>
        new(StringComparer.Ordinal) { ["ticketId"] = tokenId, ["kind"] = kind };

    private static void EmitReverted(ProjectionContext c, string eventId, string tokenId, string kind) =>
        c.Effects.Emit(RealtimeMessage.ToGroup(RealtimeTargets.EventUpdated,
            new EventUpdatedPayload(eventId, new Dictionary<string, object?> { ["reverted"] = Reverted(tokenId, kind) }),
            RealtimeTargets.EventGroup(eventId)));

    private static void NotifyHolderChange(ProjectionContext c, string tokenId, string? before, string? after)
    {
        if (before == after) return;
        if (before is not null && !EthAddress.IsZero(before)) c.Effects.Emit(TicketNotifications.Lost(before, tokenId));
        if (after is not null && !EthAddress.IsZero(after)) c.Effects.Emit(TicketNotifications.Regained(after, tokenId));
    }

    /// <summary>A ticket no remaining log mentions goes, as if it had never been seen.</summary>
    private static Task ForgetIfUnknownAsync(ProjectionContext c, BigInteger tokenId) =>
        Sql.ExecuteAsync(c.Connection,
            """
            DELETE FROM tickets t WHERE t.contract = $1 AND t.token_id = $2
              AND NOT EXISTS (SELECT 1 FROM event_activity a WHERE a.contract = $1 AND a.token_id = $2)
              AND NOT EXISTS (SELECT 1 FROM transfers x WHERE x.contract = $1 AND x.token_id = $2)
            """, c.Ct, c.Contract, tokenId);

    /// <summary>The first column of the first row; null for SQL NULL or no row.</summary>
    private static async Task<object?> ScalarAsync(ProjectionContext c, string sql, params object?[] args)
    {
        await using var command = Sql.Command(c.Connection, sql, args);
        var value = await command.ExecuteScalarAsync(c.Ct);
        return value is DBNull ? null : value;
    }
}
