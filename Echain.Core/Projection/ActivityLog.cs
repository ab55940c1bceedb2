using System.Numerics;

namespace Echain.Core.Projection;

/// <summary>The event_activity table: what happened to an event's tickets, newest first on the event's page.</summary>
internal static class ActivityLog
{
    /// <summary>
    /// One row of the event's activity for this log. Call with the ticket row locked: the purchase that links
    /// the token to its event updates the same rows under the same lock, so neither can miss the other.
    /// </summary>
    public static Task InsertAsync(ProjectionContext c, BigInteger? eventId, BigInteger tokenId, string kind,
        string? from = null, string? to = null, string? buyer = null, BigInteger? price = null) =>
        Sql.ExecuteAsync(c.Connection,
            """
            INSERT INTO event_activity (network, tx_hash, log_index, event_id, contract, token_id, kind,
                                        from_address, to_address, buyer, price, block_number, block_time)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING
            """, c.Ct, c.Event.Network, c.Event.TransactionHash, c.Event.LogIndex, eventId, c.Contract, tokenId, kind,
            from, to, buyer, price, c.Event.BlockNumber, c.Event.BlockTime?.ToUniversalTime());
}
