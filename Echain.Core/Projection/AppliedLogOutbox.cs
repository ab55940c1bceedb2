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
            INSERT INTO applied_logs (network, tx_hash, log_index, event_name, contract, block_number,
                                      block_hash, block_time, parameters, origin)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING
            """, ct, e.Network, e.TransactionHash, e.LogIndex, e.EventName, contract, e.BlockNumber,
            e.BlockHash, e.BlockTime?.ToUniversalTime(), Jsonb(e.Parameters), OriginName(e.Origin)) != 0;

    /// <summary>
    /// <see cref="ClaimAsync"/> for a batch's logs in one statement: the keys it claimed. A key already applied (or claimed twice
    /// in the batch: only its first copy) is not among them. Claims in key order, so two batches wait on each other's keys in
    /// one order and cannot deadlock on them.
    /// </summary>
    public static async Task<HashSet<LogKey>> ClaimAllAsync(NpgsqlConnection connection, IReadOnlyList<(ChainEvent Event, string Contract)> logs,
        CancellationToken ct)
    {
        var n = logs.Count;
        var (networks, hashes, indices, names, contracts) = (new string[n], new string[n], new int[n], new string[n], new string[n]);
        var (blocks, blockHashes, times, parameters, origins) = (new long[n], new string?[n], new DateTime?[n], new string[n], new string[n]);
        for (var i = 0; i < n; i++)
        {
            var (e, contract) = logs[i];
            (networks[i], hashes[i], indices[i], names[i], contracts[i]) = (e.Network, e.TransactionHash, e.LogIndex, e.EventName, contract);
            (blocks[i], blockHashes[i], times[i]) = (e.BlockNumber, e.BlockHash, e.BlockTime?.UtcDateTime);
            (parameters[i], origins[i]) = (PgText.Jsonb(e.Parameters, OutboxJson), OriginName(e.Origin));
        }
        await using var command = Sql.Command(connection,
            """
            INSERT INTO applied_logs (network, tx_hash, log_index, event_name, contract, block_number,
                                      block_hash, block_time, parameters, origin)
            SELECT * FROM unnest($1::text[], $2::text[], $3::integer[], $4::text[], $5::text[], $6::bigint[],
                                 $7::text[], $8::timestamptz[], $9::jsonb[], $10::text[])
            ORDER BY 1, 2, 3
            ON CONFLICT DO NOTHING
            RETURNING network, tx_hash, log_index
            """, networks, hashes, indices, names, contracts, blocks, blockHashes,
            new NpgsqlParameter { Value = times, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz },
            new NpgsqlParameter { Value = parameters, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb }, origins);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var claimed = new HashSet<LogKey>();
        while (await reader.ReadAsync(ct)) claimed.Add(new LogKey(reader.GetString(0), reader.GetString(1), reader.GetInt32(2)));
        return claimed;
    }

    /// <summary>The applied copy of the log, locked until the transaction ends; null when none is applied.</summary>
    public static async Task<StoredLog?> LockAsync(NpgsqlConnection connection, LogKey key, CancellationToken ct)
    {
        await using var command = Sql.Command(connection,
            """
            SELECT block_number, block_hash, block_time, event_name, contract, parameters::text, origin, applied_at
            FROM applied_logs WHERE network = $1 AND tx_hash = $2 AND log_index = $3 FOR UPDATE
            """, key.Network, key.TransactionHash, key.LogIndex);
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var parameters = JsonSerializer.Deserialize<Dictionary<string, string>>(PgText.ReadJsonb(reader.GetString(5))) ?? [];
        var stored = new ChainEvent(key.Network, key.TransactionHash, key.LogIndex, reader.GetInt64(0),
            reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2), reader.GetString(4), reader.GetString(3),
            parameters, BlockHash: Sql.NullableString(reader, 1));
        return new StoredLog(stored, reader.GetString(6), reader.GetFieldValue<DateTimeOffset>(7));
    }

    /// <summary>A webhook copy was applied first; the node's copy (same block, same parameters) tells its block hash.</summary>
    public static Task RecordBlockHashAsync(NpgsqlConnection connection, ChainEvent e, CancellationToken ct) =>
        Sql.ExecuteAsync(connection,
            "UPDATE applied_logs SET block_hash = $4 WHERE network = $1 AND tx_hash = $2 AND log_index = $3 AND block_hash IS NULL",
            ct, e.Network, e.TransactionHash, e.LogIndex, e.BlockHash);

    /// <summary>The copy is undone: the key can be claimed again.</summary>
    public static Task DeleteAsync(NpgsqlConnection connection, LogKey key, CancellationToken ct) =>
        Sql.ExecuteAsync(connection, "DELETE FROM applied_logs WHERE network = $1 AND tx_hash = $2 AND log_index = $3",
            ct, key.Network, key.TransactionHash, key.LogIndex);

    public static string OriginName(ChainEventOrigin origin) => origin.ToString().ToLowerInvariant();

    /// <summary>A jsonb parameter, its strings in <see cref="PgText"/>'s stored form (jsonb cannot hold U+0000).</summary>
    public static NpgsqlParameter Jsonb<T>(T value) =>
        new() { Value = PgText.Jsonb(value, OutboxJson), NpgsqlDbType = NpgsqlDbType.Jsonb };

    /// <summary>
    /// Stores what a batch's applied logs changed, in their transaction: their messages sequenced together (one statement,
    /// the streams locked last and in order) and the outbox columns written in one statement.
    /// </summary>
    public static async Task<ProjectionOutcome[]> StoreAllAsync(NpgsqlConnection connection, IReadOnlyList<ProjectionContext> applied, CancellationToken ct)
    {
        // The stored copies carry their seqs: a redelivery after a crash re-emits the same positions.
        await ProjectionEffects.SequenceAllAsync(connection, applied.Select(c => c.Effects).ToArray(), ct);
        var outcomes = new ProjectionOutcome[applied.Count];
        var (networks, hashes, indices) = (new string[applied.Count], new string[applied.Count], new int[applied.Count]);
        var (resources, messages) = (new string[applied.Count], new string[applied.Count]);
        for (var i = 0; i < applied.Count; i++)
        {
            var c = applied[i];
            outcomes[i] = new ProjectionOutcome(c.Event.Key, ProjectionStatus.Applied, c.Effects.Resources.ToArray(), c.Effects.Messages.ToArray());
            (networks[i], hashes[i], indices[i]) = (c.Event.Network, c.Event.TransactionHash, c.Event.LogIndex);
            resources[i] = PgText.Jsonb(outcomes[i].CacheResources, OutboxJson);
            messages[i] = PgText.Jsonb(outcomes[i].Messages, OutboxJson);
        }
        await Sql.ExecuteAsync(connection,
            """
            UPDATE applied_logs a SET cache_resources = ARRAY(SELECT jsonb_array_elements_text(u.resources)), messages = u.messages
            FROM unnest($1::text[], $2::text[], $3::integer[], $4::jsonb[], $5::jsonb[]) AS u(network, tx_hash, log_index, resources, messages)
            WHERE a.network = u.network AND a.tx_hash = u.tx_hash AND a.log_index = u.log_index
            """, ct, networks, hashes, indices,
            new NpgsqlParameter { Value = resources, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb },
            new NpgsqlParameter { Value = messages, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        return outcomes;
    }

    /// <summary>Messages as the outbox columns hold them (applied_logs and rolled_back_logs).</summary>
    public static RealtimeMessage[] ReadMessages(string json) => JsonSerializer.Deserialize<RealtimeMessage[]>(PgText.ReadJsonb(json), OutboxJson) ?? [];

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
            ? ReadMessages(reader.GetString(1))
            : [];
        return new ProjectionOutcome(key, ProjectionStatus.AlreadyApplied, resources, messages);
    }

    /// <summary>The logs' messages were emitted: a later redelivery must not emit them again. One statement for all.</summary>
    public static async Task MarkDeliveredAsync(NpgsqlDataSource dataSource, IReadOnlyList<LogKey> keys, CancellationToken ct)
    {
        if (keys.Count == 0) return;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        // The one write here that may be lost in a database crash: it would only mean the messages are
        // emitted once more on a redelivery. Skipping the WAL flush wait halves the commits per event.
        await Sql.ExecuteAsync(connection, "SET LOCAL synchronous_commit TO OFF", ct);
        await Sql.ExecuteAsync(connection,
            """
            UPDATE applied_logs a SET delivered_at = now()
            FROM unnest($1::text[], $2::text[], $3::integer[]) AS k(network, tx_hash, log_index)
            WHERE a.network = k.network AND a.tx_hash = k.tx_hash AND a.log_index = k.log_index AND a.delivered_at IS NULL
            """, ct, keys.Select(k => k.Network).ToArray(), keys.Select(k => k.TransactionHash).ToArray(), keys.Select(k => k.LogIndex).ToArray());
        await transaction.CommitAsync(ct);
    }
}

/// <summary>An applied copy of a log as applied_logs recorded it: the event to undo, and what the audit trail keeps.</summary>
internal sealed record StoredLog(ChainEvent Event, string Origin, DateTimeOffset AppliedAt);
