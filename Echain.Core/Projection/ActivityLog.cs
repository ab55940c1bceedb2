using System.Numerics;
using Npgsql;
using NpgsqlTypes;

namespace Echain.Core.Projection;

/// <summary>The event_activity table: what happened to an event's tickets, newest first on the event's page.</summary>
internal static class ActivityLog
{
    /// <summary>
    /// The rows of a batch's ticket logs in one statement (<see cref="TicketRows"/> collects them). Run with the ticket rows locked: the
    /// purchase that links a token to its event updates the same rows under the same lock, so neither can miss the other.
    /// </summary>
    public static NpgsqlBatchCommand Insert(IReadOnlyList<ActivityRow> rows) =>
        Sql.BatchCommand(
            """
            INSERT INTO event_activity (network, tx_hash, log_index, event_id, contract, token_id, kind,
                                        from_address, to_address, buyer, price, ticket_type, block_number, block_time)
            SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::numeric[], $5::text[], $6::numeric[], $7::text[],
                                 $8::text[], $9::text[], $10::text[], $11::numeric[], $12::text[], $13::bigint[], $14::timestamptz[])
            ON CONFLICT DO NOTHING
            """, rows.Select(r => r.C.Event.Network).ToArray(), rows.Select(r => r.C.Event.TransactionHash).ToArray(),
            rows.Select(r => r.C.Event.LogIndex).ToArray(),
            new NpgsqlParameter { Value = rows.Select(r => r.EventId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric },
            rows.Select(r => r.C.Contract).ToArray(),
            new NpgsqlParameter { Value = rows.Select(r => r.TokenId).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric },
            rows.Select(r => r.Kind).ToArray(), rows.Select(r => r.From).ToArray(), rows.Select(r => r.To).ToArray(),
            rows.Select(r => r.Buyer).ToArray(),
            new NpgsqlParameter { Value = rows.Select(r => r.Price).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Numeric },
            rows.Select(r => PgText.StoreNullable(r.TicketType)).ToArray(), rows.Select(r => r.C.Event.BlockNumber).ToArray(),
            new NpgsqlParameter { Value = rows.Select(r => r.C.Event.BlockTime?.UtcDateTime).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });

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

/// <summary>One ticket log's row of its event's activity: <see cref="EventId"/> is the event its log decided the token belongs to.</summary>
internal sealed record ActivityRow(ProjectionContext C, BigInteger? EventId, BigInteger TokenId, string Kind, string? From = null, string? To = null,
    string? Buyer = null, BigInteger? Price = null, string? TicketType = null);
