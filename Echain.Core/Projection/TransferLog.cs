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
}
