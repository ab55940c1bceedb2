using System.Text.Json;
using Echain.Core.Chain;
using Npgsql;
using NpgsqlTypes;

namespace Echain.Core.Reconciliation;

/// <summary>An applied log as the projection recorded it: where it was applied from, and what it was.</summary>
/// <param name="BlockHash">Null for a webhook copy the reconciler has not compared yet (CDP sends no hash).</param>
public sealed record AppliedCopy(LogKey Key, long BlockNumber, string? BlockHash, string EventName, string Contract);

/// <summary>What the reconciler reads from, and records on, the projection's applied_logs and balances.</summary>
public sealed class AppliedLogLedger(NpgsqlDataSource dataSource)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The applied logs of <paramref name="network"/> in blocks [fromBlock, toBlock].</summary>
    public async Task<Dictionary<LogKey, AppliedCopy>> ReadRangeAsync(string network, long fromBlock, long toBlock, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT tx_hash, log_index, block_number, block_hash, event_name, contract FROM applied_logs
            WHERE network = $1 AND block_number BETWEEN $2 AND $3
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = network });
        command.Parameters.Add(new NpgsqlParameter { Value = fromBlock });
        command.Parameters.Add(new NpgsqlParameter { Value = toBlock });
        var copies = new Dictionary<LogKey, AppliedCopy>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var key = new LogKey(network, reader.GetString(0), reader.GetInt32(1));
            copies[key] = new AppliedCopy(key, reader.GetInt64(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.GetString(4), reader.GetString(5));
        }
        return copies;
    }

    /// <summary>
    /// Records the block hash on copies that equal the canonical log (same block, same parameters): a webhook copy
    /// becomes a verified one without a trip through the queue. Returns the keys verified; a copy at the same block
    /// with other parameters stays unverified (it came from a fork and must be replaced).
    /// </summary>
    public async Task<HashSet<LogKey>> VerifyAsync(string network, IReadOnlyList<ChainEvent> canonical, CancellationToken ct)
    {
        var verified = new HashSet<LogKey>();
        if (canonical.Count == 0) return verified;
        await using var command = dataSource.CreateCommand(
            """
            UPDATE applied_logs a SET block_hash = c.hash
            FROM unnest($2::text[], $3::integer[], $4::bigint[], $5::text[], $6::jsonb[]) AS c(tx, log, block, hash, params)
            WHERE a.network = $1 AND a.tx_hash = c.tx AND a.log_index = c.log AND a.block_number = c.block
              AND a.block_hash IS NULL AND a.parameters = c.params
            RETURNING a.tx_hash, a.log_index
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = network });
        command.Parameters.Add(new NpgsqlParameter { Value = canonical.Select(e => e.TransactionHash).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = canonical.Select(e => e.LogIndex).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = canonical.Select(e => e.BlockNumber).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = canonical.Select(e => e.BlockHash ?? "").ToArray() });
        command.Parameters.Add(new NpgsqlParameter
        {
            Value = canonical.Select(e => JsonSerializer.Serialize(e.Parameters, Json)).ToArray(),
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb,
        });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) verified.Add(new LogKey(network, reader.GetString(0), reader.GetInt32(1)));
        return verified;
    }

    /// <summary>
    /// Blocks at or below the reconciled block holding copies never compared with the chain: webhooks that arrived
    /// after their block was reconciled (a late retry, or a delivery from a fork that died). Oldest first.
    /// </summary>
    public async Task<List<long>> LateBlocksAsync(string network, long reconciledBlock, int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT DISTINCT block_number FROM applied_logs
            WHERE network = $1 AND block_number <= $2 AND block_hash IS NULL ORDER BY block_number LIMIT $3
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = network });
        command.Parameters.Add(new NpgsqlParameter { Value = reconciledBlock });
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        var blocks = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) blocks.Add(reader.GetInt64(0));
        return blocks;
    }

    /// <summary>Balance rows never compared with the chain (written from deltas before the reconciler ran).</summary>
    public async Task<List<(string Token, string Holder)>> UnobservedHoldersAsync(int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT token, holder FROM balances WHERE chain_block IS NULL ORDER BY token, holder LIMIT $1");
        command.Parameters.Add(new NpgsqlParameter { Value = limit });
        var holders = new List<(string, string)>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) holders.Add((reader.GetString(0), reader.GetString(1)));
        return holders;
    }

    /// <summary>Logs the reconciler's copies applied (heals: deliveries webhooks missed; imports: history) and logs rolled back.</summary>
    public async Task<ReconcilerCounts> CountsAsync(string network, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            """
            SELECT (SELECT count(*) FROM applied_logs WHERE network = $1 AND origin = 'heal'),
                   (SELECT count(*) FROM applied_logs WHERE network = $1 AND origin = 'import'),
                   (SELECT count(*) FROM rolled_back_logs WHERE network = $1)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = network });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new ReconcilerCounts(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
    }
}

/// <summary>Applied logs by who found them, and logs undone after a reorg; kept in the database, so every instance reports the same.</summary>
public sealed record ReconcilerCounts(long Healed, long Imported, long RolledBack);
