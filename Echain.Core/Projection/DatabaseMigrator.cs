using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Echain.Core.Projection;

/// <summary>One embedded migration: <c>Projection/Migrations/NNNN_name.sql</c>.</summary>
public sealed record Migration(int Version, string Name, string Sql, string Checksum);

/// <summary>
/// Applies the embedded migrations in version order at start-up and records them in
/// <c>schema_migrations</c>. Everything runs in one transaction under a transaction-scoped advisory
/// lock, so two instances starting at once apply each migration exactly once and a failed
/// migration leaves nothing half-applied.
/// </summary>
public sealed partial class DatabaseMigrator(NpgsqlDataSource dataSource, ILogger<DatabaseMigrator> logger)
{
    // Arbitrary but fixed: every instance must take the same lock. Advisory locks are per database.
    private const long LockKey = 0x4563_6861_696E_0001;

    public static IReadOnlyList<Migration> Migrations { get; } = LoadEmbedded();

    public async Task MigrateAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await using (var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", connection, transaction))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = LockKey });
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var command = new NpgsqlCommand(
            """
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version     integer     PRIMARY KEY,
                name        text        NOT NULL,
                checksum    text        NOT NULL,
                applied_at  timestamptz NOT NULL DEFAULT now()
            )
            """, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        var applied = new Dictionary<int, string>();
        await using (var command = new NpgsqlCommand("SELECT version, checksum FROM schema_migrations", connection, transaction))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                applied[reader.GetInt32(0)] = reader.GetString(1);
        }

        foreach (var migration in Migrations)
        {
            if (applied.TryGetValue(migration.Version, out var checksum))
            {
                // An edited migration would leave databases that differ by when they were created.
                if (checksum != migration.Checksum)
                    throw new InvalidOperationException(
                        $"Migration {migration.Version} ({migration.Name}) was changed after it was applied; add a new migration instead.");
                continue;
            }

            logger.LogInformation("Applying migration {Version} {Name}", migration.Version, migration.Name);
            await using (var command = new NpgsqlCommand(migration.Sql, connection, transaction))
                await command.ExecuteNonQueryAsync(cancellationToken);
            await using (var command = new NpgsqlCommand(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", connection, transaction))
            {
                command.Parameters.Add(new NpgsqlParameter { Value = migration.Version });
                command.Parameters.Add(new NpgsqlParameter { Value = migration.Name });
                command.Parameters.Add(new NpgsqlParameter { Value = migration.Checksum });
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    private static List<Migration> LoadEmbedded()
    {
        var assembly = typeof(DatabaseMigrator).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = ResourceName().Match(resource);
            if (!match.Success) continue;
            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Embedded migration {resource} cannot be read.");
            using var text = new StreamReader(stream, Encoding.UTF8);
            var sql = text.ReadToEnd();
            var checksum = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n"))));
            migrations.Add(new Migration(int.Parse(match.Groups[1].Value), match.Groups[2].Value, sql, checksum));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < migrations.Count; i++)
            if (migrations[i].Version == migrations[i - 1].Version)
                throw new InvalidOperationException($"Two migrations have version {migrations[i].Version}.");
        if (migrations.Count == 0)
            throw new InvalidOperationException("No embedded migrations found (Projection/Migrations/*.sql).");
        return migrations;
    }

    [GeneratedRegex(@"\.Projection\.Migrations\.(\d{4})_([A-Za-z0-9_\-]+)\.sql$")]
    private static partial Regex ResourceName();
}
