using Npgsql;

namespace Echain.Core.Reconciliation;

/// <summary>One row of chain_checkpoints: how far the projection of <paramref name="Network"/> is known to equal the chain.</summary>
/// <param name="ImportTarget">The final block when the import began: missing logs up to it are history, later ones heals.</param>
/// <param name="ReconciledBlock">Every block up to here is final, was compared with the chain, and all its logs are applied.</param>
public sealed record ChainCheckpoint(
    string Network, long StartBlock, long ImportTarget, long ReconciledBlock, long? HeadBlock, long? FinalizedBlock, DateTimeOffset UpdatedAt)
{
    /// <summary>The history import is done once the reconciled block reaches the import target.</summary>
    public bool Importing => ReconciledBlock < ImportTarget;

    /// <summary>Share of the history import done, 0..100 (100 when there was nothing to import).</summary>
    public double ImportPercent => ImportTarget < StartBlock
        ? 100
        : Math.Clamp(100.0 * (ReconciledBlock - StartBlock + 1) / (ImportTarget - StartBlock + 1), 0, 100);
}

/// <summary>The chain_checkpoints table. Only the reconciler holding the lease writes it; every instance reads it.</summary>
public sealed class ChainCheckpointStore(NpgsqlDataSource dataSource)
{
    private const string Columns = "network, start_block, import_target, reconciled_block, head_block, finalized_block, updated_at";

    public async Task<ChainCheckpoint?> GetAsync(string network, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM chain_checkpoints WHERE network = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = network });
        return await ReadOneAsync(command, ct);
    }

    /// <summary>The network's checkpoint, made at the first pass: the import runs from <paramref name="startBlock"/> to <paramref name="importTarget"/>.</summary>
    public async Task<ChainCheckpoint> GetOrCreateAsync(string network, long startBlock, long importTarget, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            $"""
             INSERT INTO chain_checkpoints (network, start_block, import_target, reconciled_block) VALUES ($1, $2, $3, $2 - 1)
             ON CONFLICT (network) DO UPDATE SET network = EXCLUDED.network
             RETURNING {Columns}
             """);
        command.Parameters.Add(new NpgsqlParameter { Value = network });
        command.Parameters.Add(new NpgsqlParameter { Value = startBlock });
        command.Parameters.Add(new NpgsqlParameter { Value = Math.Max(importTarget, startBlock - 1) });
        return await ReadOneAsync(command, ct) ?? throw new InvalidOperationException("INSERT … RETURNING gave no row.");
    }

    /// <summary>Records what the node said and how far the comparison got; the reconciled block never moves back.</summary>
    public async Task<ChainCheckpoint> AdvanceAsync(string network, long reconciledBlock, long head, long finalized, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            $"""
             UPDATE chain_checkpoints
             SET reconciled_block = GREATEST(reconciled_block, $2), head_block = $3, finalized_block = $4, updated_at = now()
             WHERE network = $1
             RETURNING {Columns}
             """);
        command.Parameters.Add(new NpgsqlParameter { Value = network });
        command.Parameters.Add(new NpgsqlParameter { Value = reconciledBlock });
        command.Parameters.Add(new NpgsqlParameter { Value = head });
        command.Parameters.Add(new NpgsqlParameter { Value = finalized });
        return await ReadOneAsync(command, ct) ?? throw new InvalidOperationException($"No checkpoint for {network}.");
    }

    private static async Task<ChainCheckpoint?> ReadOneAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        return new ChainCheckpoint(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3),
            reader.IsDBNull(4) ? null : reader.GetInt64(4), reader.IsDBNull(5) ? null : reader.GetInt64(5),
            reader.GetFieldValue<DateTimeOffset>(6));
    }
}
