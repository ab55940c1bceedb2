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
    public async Task Migration_2_fills_event_activity_from_the_logs_an_existing_database_already_holds()
    {
        var server = await PostgresServer.GetAsync();
        await using var database = await server.CreateDatabaseAsync();
        var projector = TestChain.Projector(database.DataSource);
        var mint = TestChain.TicketTransfer(20, 0, TestChain.Zero, TestChain.Alice, "5");
        foreach (var log in new[]
                 {
                     TestChain.EventCreated(10, 0, "1"),
                     mint,
                     // The contract mints and emits TicketPurchased in one transaction.
                     TestChain.Purchase(20, 1, "1", "5", TestChain.Alice) with { TransactionHash = mint.TransactionHash },
                     TestChain.TicketTransfer(30, 0, TestChain.Alice, TestChain.Bob, "5"),
                     TestChain.Purchase(31, 0, "1", "6", TestChain.Carol), // no transfer in its transaction: no block time
                 })
            await projector.ApplyAsync(log, default);
        var reads = TestChain.Reads(database.DataSource);
        var projected = (await reads.GetEventActivityAsync("1", null, 50)).Items;

        // The database as it was before migration 2.
        await using (var command = database.DataSource.CreateCommand("DROP TABLE event_activity; DELETE FROM schema_migrations WHERE version = 2"))
            await command.ExecuteNonQueryAsync();
        await Migrator(database.DataSource).MigrateAsync();

        var backfilled = (await reads.GetEventActivityAsync("1", null, 50)).Items;
        Assert.Equal(["purchase", "transfer", "purchase", "mint"], backfilled.Select(a => a.Kind));
        Assert.Equal(projected.Select(a => a with { BlockTime = null }), backfilled.Select(a => a with { BlockTime = null }));
        Assert.Equal(projected.Skip(1), backfilled.Skip(1));
        Assert.Null(backfilled[0].BlockTime);
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
        foreach (var table in new[] { "events", "tickets", "transfers", "balances", "applied_logs", "event_activity" })
            Assert.Equal(0, await TestChain.CountAsync(database.DataSource, table));
    }
}
