using System.Text.Json;
using Echain.Core.Projection;
using Npgsql;
using NpgsqlTypes;

namespace Echain.Core.Realtime;

/// <summary>
/// Hands out each message's seq inside the projection transaction that made it, and keeps it in the history
/// (realtime_messages) in the same statement. Each stream's realtime_streams row stays locked until the commit, so
/// a stream's seqs are given in commit order, and a rollback returns them: strictly increasing, no gaps, also
/// with several consumers. Streams are locked last in a transaction and in ordinal order, so two transactions
/// cannot wait on each other for them.
/// </summary>
internal static class RealtimeStreams
{
    /// <summary>The messages with stream and seq in their payloads, in the same order; one statement for all streams.</summary>
    public static async Task<RealtimeMessage[]> AssignAsync(NpgsqlConnection connection, IReadOnlyList<RealtimeMessage> messages, CancellationToken ct)
    {
        if (messages.Count == 0) return [];
        var streams = new string[messages.Count];
        var positions = new long[messages.Count]; // 1-based position among the messages of its stream in this batch
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < messages.Count; i++)
        {
            streams[i] = messages[i].Stream;
            positions[i] = counts[streams[i]] = counts.GetValueOrDefault(streams[i]) + 1;
        }

        var lastSeqs = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var command = Sql.Command(connection,
            """
            WITH input AS (
                SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::jsonb[]) AS m(stream, k, target, payload)
            ), counts AS (
                SELECT stream, max(k) AS n FROM input GROUP BY stream
            ), bumped AS (
                INSERT INTO realtime_streams AS s (stream, last_seq)
                SELECT stream, n FROM counts ORDER BY stream COLLATE "C"
                ON CONFLICT (stream) DO UPDATE SET last_seq = s.last_seq + EXCLUDED.last_seq
                RETURNING s.stream, s.last_seq
            ), kept AS (
                INSERT INTO realtime_messages (stream, seq, target, payload)
                SELECT i.stream, b.last_seq - c.n + i.k, i.target,
                       i.payload || jsonb_build_object('stream', i.stream, 'seq', b.last_seq - c.n + i.k)
                FROM input i JOIN bumped b ON b.stream = i.stream JOIN counts c ON c.stream = i.stream
            )
            SELECT stream, last_seq FROM bumped
            """, streams, positions, messages.Select(m => m.Target).ToArray(),
            new NpgsqlParameter { Value = messages.Select(m => PgText.Jsonb(m.Payload, JsonSerializerOptions.Default)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb }))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct)) lastSeqs[reader.GetString(0)] = reader.GetInt64(1);
        }

        var sequenced = new RealtimeMessage[messages.Count];
        for (var i = 0; i < messages.Count; i++)
            sequenced[i] = messages[i].WithSeq(lastSeqs[streams[i]] - counts[streams[i]] + positions[i]);
        return sequenced;
    }
}
