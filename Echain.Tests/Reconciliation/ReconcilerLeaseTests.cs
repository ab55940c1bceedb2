using Echain.Core.Reconciliation;
using Echain.Tests.Infrastructure;
using Npgsql;

namespace Echain.Tests.Reconciliation;

/// <summary>The lease that keeps reconcilers of one network from working at once, on a real PostgreSQL.</summary>
public sealed class ReconcilerLeaseTests : IAsyncLifetime
{
    private TestDatabase? _database;
    private NpgsqlDataSource? _dataSource;

    public async Task InitializeAsync()
    {
        var postgres = await PostgresServer.GetAsync();
        _database = await postgres.CreateDatabaseAsync();
        _dataSource = NpgsqlDataSource.Create(postgres.ConnectionString(_database.Name));
    }

    [Fact]
    public async Task One_holder_per_network_until_it_releases_or_its_session_ends()
    {
        var first = new ReconcilerLease(_dataSource!);
        var second = new ReconcilerLease(_dataSource!);
        var held = await first.TryAcquireAsync("base-sepolia", default);
        Assert.NotNull(held);
        Assert.Null(await second.TryAcquireAsync("base-sepolia", default));
        await using (var other = await second.TryAcquireAsync("base-mainnet", default))
            Assert.NotNull(other); // another network is another lease

        await held!.DisposeAsync();
        var again = await second.TryAcquireAsync("base-sepolia", default);
        Assert.NotNull(again);

        // A holder that dies (its session is terminated) leaves the lease to the next one.
        await using (var admin = await _dataSource!.OpenConnectionAsync())
        await using (var kill = new NpgsqlCommand(
            """
            SELECT pg_terminate_backend(pid) FROM pg_locks
            WHERE locktype = 'advisory' AND pid <> pg_backend_pid()
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """, admin))
            await kill.ExecuteNonQueryAsync();
        await Eventually.TrueAsync(async () =>
        {
            await using var next = await first.TryAcquireAsync("base-sepolia", default);
            return next is not null;
        }, "the lease of a terminated session to be free");
        await again!.DisposeAsync(); // its session is gone, and with it the lock: releasing it is no error
    }

    public async Task DisposeAsync()
    {
        if (_dataSource is not null) await _dataSource.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
    }
}
