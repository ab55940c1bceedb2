using Echain.Core.Projection;
using Echain.LocalServices;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Echain.Tests.Infrastructure;

/// <summary>
/// A private, throw-away PostgreSQL 15 for the whole test run: started lazily by the first test
/// that needs it, stopped and deleted when the test process exits. Every test gets its own database
/// (cloned from a migrated template), so test classes can run in parallel without seeing each other.
/// </summary>
public sealed class PostgresServer
{
    private const string TemplateDatabase = "echain_template";
    private const string DirectoryPrefix = "echain-pg-";

    // Durability is pointless for a cluster deleted at exit; off, the suite runs faster.
    private static readonly string[] Settings =
        ["fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=300", "shared_buffers=64MB"];

    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);

    private readonly PostgresInstance _instance;
    private readonly NpgsqlDataSource _admin;
    // CREATE DATABASE … TEMPLATE fails while another CREATE DATABASE copies the same template.
    private readonly SemaphoreSlim _createLock = new(1, 1);

    private PostgresServer(PostgresInstance instance)
    {
        _instance = instance;
        _admin = NpgsqlDataSource.Create(ConnectionString("postgres"));
    }

    public int Port => _instance.Port;

    public static Task<PostgresServer> GetAsync() => Shared.Value;

    /// <summary>
    /// A cluster of the caller's own, for tests that stop PostgreSQL (<see cref="StopAsync"/>): an outage there
    /// disturbs no other test. The caller disposes it with <see cref="StopAndDeleteAsync"/>.
    /// </summary>
    public static Task<PostgresServer> StartPrivateAsync() => StartAsync();

    /// <summary>An outage: the server stops (fast shutdown, every session ends) until <see cref="RestartAsync"/>.</summary>
    public Task StopAsync() => _instance.StopAsync();

    public Task RestartAsync() => _instance.RestartAsync();

    public async Task StopAndDeleteAsync()
    {
        await _admin.DisposeAsync();
        await _instance.StopAndDeleteAsync();
    }

    public string ConnectionString(string database) => _instance.ConnectionString(database, maxPoolSize: 20);

    /// <summary>A fresh database with every migration applied.</summary>
    public Task<TestDatabase> CreateDatabaseAsync() => CreateAsync(TemplateDatabase);

    /// <summary>A fresh empty database (for the migrator's own tests).</summary>
    public Task<TestDatabase> CreateEmptyDatabaseAsync() => CreateAsync("template0");

    private async Task<TestDatabase> CreateAsync(string template)
    {
        var name = "t_" + Guid.NewGuid().ToString("N");
        await _createLock.WaitAsync();
        try
        {
            await using var command = _admin.CreateCommand($"CREATE DATABASE {name} TEMPLATE {template}");
            await command.ExecuteNonQueryAsync();
        }
        finally
        {
            _createLock.Release();
        }
        return new TestDatabase(name, NpgsqlDataSource.Create(ConnectionString(name)));
    }

    private static async Task<PostgresServer> StartAsync()
    {
        PostgresInstance.DeleteStaleDirectories(DirectoryPrefix); // left by killed test hosts
        var instance = await PostgresInstance.StartAsync(
            new PostgresOptions { DirectoryPrefix = DirectoryPrefix, Settings = Settings, InitdbWithoutSync = true });
        // The test host is killed moments after the run ends: the stop must outlive it.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => instance.StopAndDeleteAfterExit();

        var server = new PostgresServer(instance);
        await using (var command = server._admin.CreateCommand($"CREATE DATABASE {TemplateDatabase} TEMPLATE template0"))
            await command.ExecuteNonQueryAsync();
        await using (var template = NpgsqlDataSource.Create(server.ConnectionString(TemplateDatabase)))
            await new DatabaseMigrator(template, NullLogger<DatabaseMigrator>.Instance).MigrateAsync();
        NpgsqlConnection.ClearAllPools(); // no session may stay connected to a template
        return server;
    }
}

/// <summary>One test's private database.</summary>
public sealed class TestDatabase(string name, NpgsqlDataSource dataSource) : IAsyncDisposable
{
    public string Name { get; } = name;
    public NpgsqlDataSource DataSource { get; } = dataSource;

    public ValueTask DisposeAsync() => DataSource.DisposeAsync();
}

/// <summary>Base for tests that need a fresh, migrated database each (xunit makes one instance per test).</summary>
public abstract class PostgresTest : IAsyncLifetime
{
    private TestDatabase? _database;

    protected PostgresServer Server { get; private set; } = null!;
    protected NpgsqlDataSource DataSource => _database?.DataSource ?? throw new InvalidOperationException("Not initialized.");

    public async Task InitializeAsync()
    {
        Server = await PostgresServer.GetAsync();
        _database = await Server.CreateDatabaseAsync();
    }

    public async Task DisposeAsync()
    {
        if (_database is not null) await _database.DisposeAsync();
    }
}
