using System.Numerics;

namespace Echain.Core.Projection;

/// <summary>The transfers table: every ticket and token movement, the source of each wallet's transaction history.</summary>
internal static class TransferLog
{
    /// <summary><paramref name="kind"/> is ticket- or token- followed by mint, burn or transfer; a redelivery inserts nothing.</summary>
    public static Task InsertAsync(ProjectionContext c, string kind, string from, string to, BigInteger? tokenId, BigInteger? value) =>
        Sql.ExecuteAsync(c.Connection,
            """
            INSERT INTO transfers (network, tx_hash, log_index, block_number, block_time, contract, kind, from_address, to_address, token_id, value)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING
            """, c.Ct, c.Event.Network, c.Event.TransactionHash, c.Event.LogIndex, c.Event.BlockNumber,
            c.Event.BlockTime?.ToUniversalTime(), c.Contract, kind, from, to, tokenId, value);

    /// <summary>The log's row, when a reorg undoes it.</summary>
    public static Task DeleteAsync(ProjectionContext c) =>
        Sql.ExecuteAsync(c.Connection, "DELETE FROM transfers WHERE network = $1 AND tx_hash = $2 AND log_index = $3",
            c.Ct, c.Event.Network, c.Event.TransactionHash, c.Event.LogIndex);
}
