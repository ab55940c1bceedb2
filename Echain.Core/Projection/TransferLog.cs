using System.Numerics;
using Npgsql;
using NpgsqlTypes;

namespace Echain.Core.Projection;

/// <summary>The transfers table: every ticket and token movement, the source of each wallet's transaction history.</summary>
internal static class TransferLog
{
    /// <summary>The log's row (a statement for its batch): <paramref name="kind"/> is ticket- or token- followed by mint, burn or transfer; a redelivery inserts nothing.</summary>
    public static NpgsqlBatchCommand Insert(ProjectionContext c, string kind, string from, string to, BigInteger? tokenId, BigInteger? value) =>
        Insert([(c, kind, from, to, tokenId, value)]);

    /// <summary>The rows of several logs in one statement.</summary>
    public static NpgsqlBatchCommand Insert(IReadOnlyList<(ProjectionContext C, string Kind, string From, string To, BigInteger? TokenId, BigInteger? Value)> rows) =>
        Sql.BatchCommand(
            """
            INSERT INTO transfers (network, tx_hash, log_index, block_number, block_time, contract, kind, from_address, to_address, token_id, value)
            SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::bigint[], $5::timestamptz[], $6::text[], $7::text[], $8::text[],
                                 $9::text[], $10::numeric[], $11::numeric[])
            ON CONFLICT DO NOTHING
            """, rows.Select(r => r.C.Event.Network).ToArray(), rows.Select(r => r.C.Event.TransactionHash).ToArray(),
            rows.Select(r => r.C.Event.LogIndex).ToArray(), rows.Select(r => r.C.Event.BlockNumber).ToArray(),
            new NpgsqlParameter { Value = rows.Select(r => r.C.Event.BlockTime?.UtcDateTime).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
            rows.Select(r => r.C.Contract).ToArray(), rows.Select(r => r.Kind).ToArray(), rows.Select(r => r.From).ToArray(),
            rows.Select(r => r.To).ToArray(),
            new NpgsqlParameter { Value = rows.Select(r => r.TokenId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric },
            new NpgsqlParameter { Value = rows.Select(r => r.Value).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric });

    /// <summary>The log's row, when a reorg undoes it.</summary>
    public static Task DeleteAsync(ProjectionContext c) =>
        Sql.ExecuteAsync(c.Connection, "DELETE FROM transfers WHERE network = $1 AND tx_hash = $2 AND log_index = $3",
            c.Ct, c.Event.Network, c.Event.TransactionHash, c.Event.LogIndex);
}
