using System.Text.Json;
using Echain.Core.Chain;
using Echain.Core.Realtime;
using Npgsql;
using NpgsqlTypes;

namespace Echain.Core.Projection;

/// <summary>
/// The applied_logs table: the claim that makes applying a log idempotent, and the outbox that keeps its
/// cache resources and messages until they were delivered, so a redelivery can finish what a crash cut short.
/// </summary>
internal static class AppliedLogOutbox
{
    private static readonly JsonSerializerOptions OutboxJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// False when the log was applied before. Claims the log; a concurrent duplicate waits here until the first
    /// commits, then sees the row.
    /// </summary>
    public static async Task<bool> ClaimAsync(NpgsqlConnection connection, ChainEvent e, string contract, CancellationToken ct) =>
        await Sql.ExecuteAsync(connection,
            """
            INSERT INTO applied_logs (network, tx_hash, log_index, event_name, contract, block_number)
            VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING
            """, ct, e.Network, e.TransactionHash, e.LogIndex, e.EventName, contract, e.BlockNumber) != 0;

    /// <summary>Stores what the claimed log changed, in its transaction.</summary>
    public static async Task<ProjectionOutcome> StoreAsync(ProjectionContext c)
    {
        var resources = c.Effects.Resources.ToArray();
        var messages = c.Effects.Messages.ToArray();
        await Sql.ExecuteAsync(c.Connection,
            "UPDATE applied_logs SET cache_resources = $4, messages = $5 WHERE network = $1 AND tx_hash = $2 AND log_index = $3",
            c.Ct, c.Event.Network, c.Event.TransactionHash, c.Event.LogIndex, resources,
            new NpgsqlParameter { Value = JsonSerializer.Serialize(messages, OutboxJson), NpgsqlDbType = NpgsqlDbType.Jsonb });
        return new ProjectionOutcome(c.Event.Key, ProjectionStatus.Applied, resources, messages);
    }

    /// <summary>What an earlier application of the log stored, for a redelivery.</summary>
    public static async Task<ProjectionOutcome> ReadStoredAsync(NpgsqlConnection connection, LogKey key, CancellationToken ct)
    {
        await using var command = Sql.Command(connection,
            "SELECT cache_resources, messages::text, delivered_at IS NULL FROM applied_logs WHERE network = $1 AND tx_hash = $2 AND log_index = $3",
            key.Network, key.TransactionHash, key.LogIndex);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
            throw new InvalidOperationException($"applied_logs row {key} vanished inside its transaction.");
        var resources = reader.GetFieldValue<string[]>(0);
        // Re-invalidating is harmless and covers a crash between commit and invalidation;
        // messages are only owed while undelivered.
        var messages = reader.GetBoolean(2)
            ? JsonSerializer.Deserialize<RealtimeMessage[]>(reader.GetString(1), OutboxJson) ?? []
            : [];
        return new ProjectionOutcome(key, ProjectionStatus.AlreadyApplied, resources, messages);
    }

    /// <summary>The log's messages were emitted: a later redelivery must not emit them again.</summary>
    public static async Task MarkDeliveredAsync(NpgsqlDataSource dataSource, LogKey key, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // The one write here that may be lost in a database crash: it would only mean the messages are
        // emitted once more on a redelivery. Skipping the WAL flush wait halves the commits per event.
        await Sql.ExecuteAsync(connection, "SET LOCAL synchronous_commit TO OFF", ct);
        await Sql.ExecuteAsync(connection,
            "UPDATE applied_logs SET delivered_at = now() WHERE network = $1 AND tx_hash = $2 AND log_index = $3 AND delivered_at IS NULL",
            ct, key.Network, key.TransactionHash, key.LogIndex);
        await transaction.CommitAsync(ct);
    }
}
