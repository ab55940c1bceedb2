using Echain.Core.Projection;
using Echain.LocalServices;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Echain.Tests.Infrastructure;

/// <summary>
/// A private, throw-away PostgreSQL 15 for the whole test run: started lazily by the first test
/// that needs it, stopped and deleted when the test process exits. Every test gets its own database
/// (cloned from a migrated template), so test classes can run in parallel without seeing each other.
/// A test that stops PostgreSQL (an outage) starts its own server instead (<see cref="StartPrivateAsync"/>).
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    private const string TemplateDatabase = "echain_template";
    private const string DirectoryPrefix = "echain-pg-";
    // Not under the shared prefix: a stopped private server has no postmaster.pid, and must not look stale to other runs.
    private const string PrivateDirectoryPrefix = "echain-pgprivate-";

    // Durability is pointless for a cluster deleted at exit; off, the suite runs faster.
    private static readonly string[] Settings =
        ["fsync=off", "synchronous_commit=off", "full_page_writes=off", "max_connections=300", "shared_buffers=64MB"];

    private static readonly Lazy<Task<PostgresServer>> Shared = new(() => StartAsync(shared: true));

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

    private bool _shared;
    private bool _stopped;

    public static Task<PostgresServer> GetAsync() => Shared.Value;

    /// <summary>A server of the caller's own, which it may stop and start; disposing it stops and deletes it.</summary>
    public static Task<PostgresServer> StartPrivateAsync() => StartAsync(shared: false);

    /// <summary>Stops this private server, as an outage does: open sessions are cut, new ones refused.</summary>
    public async Task StopAsync()
    {
        if (_shared)
            throw new InvalidOperationException("The shared server serves other tests: stop a private one (StartPrivateAsync).");
        await _instance.StopAsync();
        _stopped = true;
    }

    /// <summary>Starts this private server again on its port, with its data.</summary>
    public async Task StartAsync()
    {
        await _instance.StartAgainAsync();
        _stopped = false;
    }

    public async ValueTask DisposeAsync()
    {
        await _admin.DisposeAsync();
        if (_shared)
            return;
        // A test that failed during its outage leaves the server stopped: only its folder is left to remove.
        if (_stopped)
            Directory.Delete(_instance.RootDirectory, recursive: true);
        else
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

    private static async Task<PostgresServer> StartAsync(bool shared)
    {
        var prefix = shared ? DirectoryPrefix : PrivateDirectoryPrefix;
        PostgresInstance.DeleteStaleDirectories(prefix); // left by killed test hosts
        var instance = await PostgresInstance.StartAsync(
            new PostgresOptions { DirectoryPrefix = prefix, Settings = Settings, InitdbWithoutSync = true });
        // The test host is killed moments after the run ends: the stop must outlive it.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => instance.StopAndDeleteAfterExit();

        var server = new PostgresServer(instance) { _shared = shared };
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
