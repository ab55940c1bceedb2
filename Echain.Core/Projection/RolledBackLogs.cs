using Echain.Core.Chain;
using Npgsql;

namespace Echain.Core.Projection;

/// <summary>
/// The rolled_back_logs table: what a reorg undid, and — for a removal, which leaves no applied_logs row —
/// the outbox of its corrections, so a removal redelivered after a crash re-emits what was never delivered.
/// </summary>
internal static class RolledBackLogs
{
    /// <summary>Records the undone copy. A replacement's corrections travel in the new applied row, so it is born delivered.</summary>
    public static Task RecordAsync(NpgsqlConnection connection, StoredLog undone, bool replaced, ProjectionEffects effects, CancellationToken ct)
    {
        var e = undone.Event;
        return Sql.ExecuteAsync(connection,
            """
            INSERT INTO rolled_back_logs (network, tx_hash, log_index, block_number, block_hash, event_name, contract,
                                          parameters, origin, applied_at, reason, cache_resources, messages, delivered_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, CASE WHEN $14 THEN now() END)
            """, ct, e.Network, e.TransactionHash, e.LogIndex, e.BlockNumber, e.BlockHash, e.EventName, e.Contract,
            AppliedLogOutbox.Jsonb(e.Parameters), undone.Origin, undone.AppliedAt, replaced ? "replaced" : "removed",
            effects.Resources.ToArray(), AppliedLogOutbox.Jsonb(effects.Messages), replaced);
    }

    /// <summary>
    /// What the newest rollback of the copy a removal names stored: its resources again, and its messages while
    /// undelivered. Empty when the removal never undid anything (a stale removal).
    /// </summary>
    public static async Task<ProjectionOutcome> ReadStoredAsync(NpgsqlConnection connection, ChainEvent removal, CancellationToken ct)
    {
        await using var command = Sql.Command(connection,
            $"""
            SELECT cache_resources, messages::text, delivered_at IS NULL FROM rolled_back_logs
            WHERE {RemovedCopy} ORDER BY id DESC LIMIT 1
            """, removal.Network, removal.TransactionHash, removal.LogIndex, removal.BlockNumber, removal.BlockHash);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
            return new ProjectionOutcome(removal.Key, ProjectionStatus.AlreadyApplied, [], []);
        var messages = reader.GetBoolean(2) ? AppliedLogOutbox.ReadMessages(reader.GetString(1)) : [];
        return new ProjectionOutcome(removal.Key, ProjectionStatus.AlreadyApplied, reader.GetFieldValue<string[]>(0), messages);
    }

    /// <summary>The removal's corrections were emitted: its redelivery must not emit them again.</summary>
    public static async Task MarkDeliveredAsync(NpgsqlDataSource dataSource, ChainEvent removal, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await Sql.ExecuteAsync(connection,
            $"UPDATE rolled_back_logs SET delivered_at = now() WHERE {RemovedCopy} AND delivered_at IS NULL",
            ct, removal.Network, removal.TransactionHash, removal.LogIndex, removal.BlockNumber, removal.BlockHash);
    }

    // The copy a removal names: its key and block, and its hash when both sides know one.
    private const string RemovedCopy =
        "network = $1 AND tx_hash = $2 AND log_index = $3 AND block_number = $4 AND ($5::text IS NULL OR block_hash IS NULL OR block_hash = $5)";
}
