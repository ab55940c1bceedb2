using Echain.Core.Projection;
using Echain.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Echain.Tests.Projection;

public sealed class DatabaseMigratorTests
{
    private static DatabaseMigrator Migrator(NpgsqlDataSource dataSource) => new(dataSource, NullLogger<DatabaseMigrator>.Instance);

    private static async Task<List<(int Version, string Name)>> AppliedAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SELECT version, name FROM schema_migrations ORDER BY version");
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(int, string)>();
        while (await reader.ReadAsync()) rows.Add((reader.GetInt32(0), reader.GetString(1)));
        return rows;
    }

    private static List<(int, string)> Expected => DatabaseMigrator.Migrations.Select(m => (m.Version, m.Name)).ToList();

    [Fact]
    public void Embedded_migrations_are_found_in_order()
    {
        Assert.NotEmpty(DatabaseMigrator.Migrations);
        Assert.Equal((1, "initial"), (DatabaseMigrator.Migrations[0].Version, DatabaseMigrator.Migrations[0].Name));
        Assert.Equal(DatabaseMigrator.Migrations.OrderBy(m => m.Version), DatabaseMigrator.Migrations);
    }

    [Fact]
    public async Task Running_twice_applies_each_migration_once()
    {
        var server = await PostgresServer.GetAsync();
        await using var database = await server.CreateEmptyDatabaseAsync();

        await Migrator(database.DataSource).MigrateAsync();
        await Migrator(database.DataSource).MigrateAsync();

        Assert.Equal(Expected, await AppliedAsync(database.DataSource));
        Assert.Equal(0, await TestChain.CountAsync(database.DataSource, "applied_logs"));
    }

    [Fact]
    public async Task Two_instances_starting_at_once_apply_each_migration_once()
    {
        var server = await PostgresServer.GetAsync();
        await using var database = await server.CreateEmptyDatabaseAsync();
        // Separate pools, as two processes would have.
        await using var other = NpgsqlDataSource.Create(server.ConnectionString(database.Name));

        await Task.WhenAll(
            Task.Run(() => Migrator(database.DataSource).MigrateAsync()),
            Task.Run(() => Migrator(other).MigrateAsync()));

        Assert.Equal(Expected, await AppliedAsync(database.DataSource));
        foreach (var table in new[] { "events", "tickets", "transfers", "balances", "applied_logs" })
            Assert.Equal(0, await TestChain.CountAsync(database.DataSource, table));
    }
}
