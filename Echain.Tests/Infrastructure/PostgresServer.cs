using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Echain.Core.Projection;
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
    private const string BinDirectory = "/usr/lib/postgresql/15/bin";
    private const string TemplateDatabase = "echain_template";

    private static readonly Lazy<Task<PostgresServer>> Shared = new(StartAsync);

    private readonly string _root;
    private readonly string _dataDirectory;
    private readonly bool _asPostgresUser;
    private readonly NpgsqlDataSource _admin;
    // CREATE DATABASE … TEMPLATE fails while another CREATE DATABASE copies the same template.
    private readonly SemaphoreSlim _createLock = new(1, 1);

    public int Port { get; }

    private PostgresServer(string root, string dataDirectory, int port, bool asPostgresUser)
    {
        _root = root;
        _dataDirectory = dataDirectory;
        Port = port;
        _asPostgresUser = asPostgresUser;
        _admin = NpgsqlDataSource.Create(ConnectionString("postgres"));
    }

    public static Task<PostgresServer> GetAsync() => Shared.Value;

    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database,
            MaxPoolSize = 20, Timeout = 30, CommandTimeout = 60,
        }.ConnectionString;

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
        foreach (var tool in new[] { "initdb", "pg_ctl", "postgres" })
            if (!File.Exists(Path.Combine(BinDirectory, tool)))
                throw new InvalidOperationException(
                    $"PostgreSQL 15 is not installed: {BinDirectory}/{tool} is missing. Install the Debian package " +
                    "postgresql-15 (the test script does: apt-get install -y postgresql-15).");

        SweepStaleDirectories();

        // initdb and pg_ctl refuse to run as root.
        var asPostgresUser = Environment.UserName == "root";
        var root = Path.Combine(Path.GetTempPath(), "echain-pg-" + Guid.NewGuid().ToString("N")[..12]);
        var data = Path.Combine(root, "data");
        var sockets = Path.Combine(root, "sock");
        Directory.CreateDirectory(sockets);
        if (asPostgresUser)
            await RunAsync("chown", ["-R", "postgres:postgres", root], asPostgresUser: false);

        await RunAsync(Path.Combine(BinDirectory, "initdb"),
            ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"], asPostgresUser);

        PostgresServer? server = null;
        for (var attempt = 1; server is null; attempt++)
        {
            var port = FreePort();
            var options = $"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off " +
                          "-c full_page_writes=off -c max_connections=300 -c shared_buffers=64MB";
            try
            {
                await RunAsync(Path.Combine(BinDirectory, "pg_ctl"),
                    ["start", "-D", data, "-w", "-t", "60", "-l", Path.Combine(root, "postgres.log"), "-o", options], asPostgresUser);
                server = new PostgresServer(root, data, port, asPostgresUser);
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Another process took the port between probing and binding: try another one.
            }
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => server.Stop();

        await using (var command = server._admin.CreateCommand($"CREATE DATABASE {TemplateDatabase} TEMPLATE template0"))
            await command.ExecuteNonQueryAsync();
        await using (var template = NpgsqlDataSource.Create(server.ConnectionString(TemplateDatabase)))
            await new DatabaseMigrator(template, NullLogger<DatabaseMigrator>.Instance).MigrateAsync();
        NpgsqlConnection.ClearAllPools(); // no session may stay connected to a template
        return server;
    }

    /// <summary>
    /// At process exit the test host is killed moments after the run ends, so stopping and deleting
    /// run in a detached shell that outlives it (setsid: its own session, not killed with the host).
    /// </summary>
    private void Stop()
    {
        var pgCtl = Path.Combine(BinDirectory, "pg_ctl");
        var stop = _asPostgresUser
            ? $"runuser -u postgres -- {pgCtl} stop -D '{_dataDirectory}' -m immediate -w"
            : $"{pgCtl} stop -D '{_dataDirectory}' -m immediate -w";
        try
        {
            using var process = Process.Start(new ProcessStartInfo("setsid", ["sh", "-c", $"{stop} >/dev/null 2>&1; rm -rf '{_root}'"])
            {
                UseShellExecute = false,
            });
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Nothing more can be done at exit; the next run sweeps the directory.
        }
    }

    /// <summary>Removes data directories of earlier runs whose server is gone (a killed test host).</summary>
    private static void SweepStaleDirectories()
    {
        foreach (var directory in Directory.EnumerateDirectories(Path.GetTempPath(), "echain-pg-*"))
        {
            try
            {
                var stale = !File.Exists(Path.Combine(directory, "data", "postmaster.pid"))
                            && Directory.GetLastWriteTimeUtc(directory) < DateTime.UtcNow.AddMinutes(-30);
                if (stale) Directory.Delete(directory, recursive: true);
            }
            // Best effort for folders of other, crashed runs: one still in use or being removed is left alone.
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"not sweeping {directory}: {e.Message}");
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> args, bool asPostgresUser)
    {
        var start = new ProcessStartInfo(asPostgresUser ? "runuser" : file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        if (asPostgresUser)
            foreach (var a in new[] { "-u", "postgres", "--", file }) start.ArgumentList.Add(a);
        foreach (var a in args) start.ArgumentList.Add(a);

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {file}.");
        // pg_ctl start leaves the server holding inherited pipes open: read only until the tool exits.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            var error = await Task.WhenAny(stderr, Task.Delay(1000)) == stderr ? await stderr : "";
            var output = await Task.WhenAny(stdout, Task.Delay(1000)) == stdout ? await stdout : "";
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {error} {output}");
        }
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
