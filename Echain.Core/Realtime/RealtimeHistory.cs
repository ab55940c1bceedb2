using System.Data;
using System.Text.Json.Nodes;
using Echain.Core.Projection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Echain.Core.Realtime;

/// <summary>Section "Echain:Realtime" as Core reads it: how much of each stream's history is kept for resuming clients.</summary>
public sealed class RealtimeHistoryOptions
{
    public const string Section = "Echain:Realtime";

    /// <summary>At least this many of each stream's newest messages are kept…</summary>
    public int HistoryCount { get; set; } = 1000;

    /// <summary>…and at least every message younger than this: a row goes only when it is both older and beyond the count.</summary>
    public TimeSpan HistoryAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often the standalone host prunes (the Functions host: the PruneRealtimeHistory timer).</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromMinutes(5);
}

public sealed record StoredRealtimeMessage(long Seq, string Target, JsonObject Payload);

/// <summary>
/// What a client missed: the messages of <paramref name="Stream"/> after <paramref name="After"/> (none when the
/// caller gave no position: it only learns <paramref name="Latest"/>, its baseline), at most a page; <paramref name="HasMore"/>
/// says to ask again after the last seq.
/// </summary>
public sealed record RealtimeHistoryPage(string Stream, long? After, long Latest, IReadOnlyList<StoredRealtimeMessage> Messages, bool HasMore);

/// <summary>Reads and prunes realtime_messages, the history <see cref="RealtimeStreams"/> writes.</summary>
public sealed class RealtimeHistory(NpgsqlDataSource dataSource, IOptions<RealtimeHistoryOptions> options)
{
    public const int MaxPageSize = 1000;

    /// <summary>The page, or a 410 problem when the messages right after <paramref name="after"/> are no longer kept
    /// or <paramref name="after"/> is beyond the stream (another history, e.g. a reset database): the client refetches.</summary>
    public async Task<(RealtimeHistoryPage? Page, ApiProblem? Gone)> ReadAsync(string stream, long? after, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        // One snapshot: the latest seq and the rows agree even while projections commit.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
        long latest = 0, oldest = 0;
        await using (var command = Sql.Command(connection,
            """
            SELECT coalesce((SELECT last_seq FROM realtime_streams WHERE stream = $1), 0),
                   coalesce((SELECT min(seq) FROM realtime_messages WHERE stream = $1), 0)
            """, stream))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            latest = reader.GetInt64(0);
            oldest = reader.GetInt64(1);
        }

        if (after is not { } position) return (new RealtimeHistoryPage(stream, null, latest, [], false), null);
        if (position > latest)
            return (null, ApiProblem.HistoryGone($"{stream} has no seq {position} (latest is {latest}): refetch, then follow from {latest}."));
        // Nothing after position is kept although there is something after it, or the first kept one is past position + 1.
        if (position < latest && (oldest == 0 || oldest > position + 1))
            return (null, ApiProblem.HistoryGone($"{stream} keeps no messages right after seq {position} (the oldest kept is {oldest}): refetch, then follow from {latest}."));

        var messages = new List<StoredRealtimeMessage>();
        await using (var command = Sql.Command(connection,
            "SELECT seq, target, payload::text FROM realtime_messages WHERE stream = $1 AND seq > $2 ORDER BY seq LIMIT $3",
            stream, position, MaxPageSize + 1))
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
                messages.Add(new StoredRealtimeMessage(reader.GetInt64(0), reader.GetString(1), JsonNode.Parse(PgText.ReadJsonb(reader.GetString(2)))!.AsObject()));
        }
        await transaction.CommitAsync(ct);
        var hasMore = messages.Count > MaxPageSize;
        if (hasMore) messages.RemoveAt(MaxPageSize);
        return (new RealtimeHistoryPage(stream, position, latest, messages, hasMore), null);
    }

    /// <summary>Deletes what is beyond both bounds (the count and the age) in every stream; returns how many rows went.</summary>
    public async Task<int> PruneAsync(CancellationToken ct)
    {
        var o = options.Value;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await Sql.ExecuteAsync(connection,
            """
            DELETE FROM realtime_messages m USING realtime_streams s
            WHERE m.stream = s.stream AND m.seq <= s.last_seq - $1 AND m.created_at < now() - $2
            """, ct, (long)o.HistoryCount, o.HistoryAge);
    }
}
