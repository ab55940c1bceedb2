using System.Numerics;
using Npgsql;

namespace Echain.Core.Projection;

/// <summary>The event_activity table: what happened to an event's tickets, newest first on the event's page.</summary>
internal static class ActivityLog
{
    /// <summary>
    /// One row of the event's activity for this log (a statement for the log's batch). Run with the ticket row locked: the purchase that links
    /// the token to its event updates the same rows under the same lock, so neither can miss the other.
    /// </summary>
    public static NpgsqlBatchCommand Insert(ProjectionContext c, BigInteger? eventId, BigInteger tokenId, string kind,
        string? from = null, string? to = null, string? buyer = null, BigInteger? price = null, string? ticketType = null) =>
        Sql.BatchCommand(
            """
            INSERT INTO event_activity (network, tx_hash, log_index, event_id, contract, token_id, kind,
                                        from_address, to_address, buyer, price, ticket_type, block_number, block_time)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT DO NOTHING
            """, c.Event.Network, c.Event.TransactionHash, c.Event.LogIndex, eventId, c.Contract, tokenId, kind,
            from, to, buyer, price, PgText.StoreNullable(ticketType), c.Event.BlockNumber, c.Event.BlockTime?.ToUniversalTime());

    /// <summary>Deletes the log's row when a reorg undoes it (ticket row locked, as for the insert).</summary>
    public static Task DeleteAsync(ProjectionContext c) =>
        Sql.ExecuteAsync(c.Connection, "DELETE FROM event_activity WHERE network = $1 AND tx_hash = $2 AND log_index = $3",
            c.Ct, c.Event.Network, c.Event.TransactionHash, c.Event.LogIndex);

    /// <summary>Whether a row of this kind remains for the token (a mint, a check-in).</summary>
    public static async Task<bool> AnyAsync(ProjectionContext c, BigInteger tokenId, string kind)
    {
        await using var command = Sql.Command(c.Connection,
            "SELECT EXISTS (SELECT 1 FROM event_activity WHERE contract = $1 AND token_id = $2 AND kind = $3)",
            c.Contract, tokenId, kind);
        return (bool)(await command.ExecuteScalarAsync(c.Ct))!;
    }
}
