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
    public async Task Migration_4_recovers_the_parameters_of_logs_applied_before_it_so_they_can_be_undone()
    {
        var server = await PostgresServer.GetAsync();
        await using var database = await server.CreateDatabaseAsync();
        var projector = TestChain.Projector(database.DataSource);
        var resale = TestChain.TicketTransfer(30, 0, TestChain.Alice, TestChain.Bob, "5");
        foreach (var log in new[]
                 {
                     TestChain.EventCreated(10, 0, "1"),
                     TestChain.EventUpdated(12, 0, "1", title: "Renamed"),
                     TestChain.TicketTransfer(20, 0, TestChain.Zero, TestChain.Alice, "5"),
                     TestChain.Purchase(20, 1, "1", "5", TestChain.Alice, type: "VIP"),
                     resale,
                     TestChain.TicketUsed(31, 0, "5"),
                     TestChain.UsdcTransfer(32, 0, TestChain.Zero, TestChain.Alice, "700"),
                 })
            await projector.ApplyAsync(log, default);
        const string parameters = "SELECT event_name || ' ' || parameters::text FROM applied_logs ORDER BY block_number, log_index";
        var projected = await QueryAsync(database.DataSource, parameters);

        // The database as it was before migration 4.
        await using (var command = database.DataSource.CreateCommand(
                         """
                         DROP TABLE rolled_back_logs;
                         DROP INDEX applied_logs_block_idx;
                         ALTER TABLE applied_logs DROP COLUMN block_hash, DROP COLUMN block_time, DROP COLUMN parameters, DROP COLUMN origin;
                         ALTER TABLE event_activity DROP COLUMN ticket_type;
                         DELETE FROM schema_migrations WHERE version = 4
                         """))
            await command.ExecuteNonQueryAsync();
        await Migrator(database.DataSource).MigrateAsync();

        // Every log but the EventCreated whose details an update superseded: that one keeps its creation fields only.
        var backfilled = await QueryAsync(database.DataSource, parameters);
        Assert.Equal(projected.Where(p => !p.StartsWith("EventCreated", StringComparison.Ordinal)),
            backfilled.Where(p => !p.StartsWith("EventCreated", StringComparison.Ordinal)));
        Assert.Equal($$"""EventCreated {"creator": "{{TestChain.Creator}}", "eventId": "1", "maxTickets": "100"}""", backfilled[0]);
        Assert.Equal(["VIP"], await QueryAsync(database.DataSource, "SELECT ticket_type FROM event_activity WHERE kind = 'purchase'"));

        var undone = await projector.ApplyAsync(resale with { Removed = true, Parameters = new Dictionary<string, string>() }, default);
        Assert.Equal(Echain.Core.Projection.ProjectionStatus.RolledBack, undone.Status);
        var reads = TestChain.Reads(database.DataSource);
        Assert.Equal(TestChain.Alice, Assert.Single((await reads.GetUserTicketsAsync(TestChain.Alice)).Items).Owner);
    }

    private static async Task<List<string>> QueryAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
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
