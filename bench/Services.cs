using Echain.LocalServices;

namespace Echain.Bench;

/// <summary>
/// Private PostgreSQL 15 and Redis 7 for one benchmark run, stopped and deleted at the end: Redis under
/// bench/results/tmp/&lt;run&gt;, PostgreSQL in its own /tmp folder (the postgres user may not be able to
/// enter the checkout). Both run as ./run.sh runs them, because that is what is measured: PostgreSQL
/// keeps its durable defaults (fsync and synchronous_commit on), Redis appends to its AOF every second.
/// </summary>
public sealed class BenchServices : IAsyncDisposable
{
    // pg_stat_statements and the I/O timings feed "where the time goes" in the report.
    private static readonly string[] PostgresSettings =
    [
        "max_connections=300", "shared_buffers=128MB", "shared_preload_libraries=pg_stat_statements",
        "track_wal_io_timing=on", "track_io_timing=on",
    ];

    private readonly string _root;
    private readonly PostgresInstance _postgres;
    private readonly RedisInstance _redis;

    private BenchServices(string root, PostgresInstance postgres, RedisInstance redis)
    {
        _root = root;
        _postgres = postgres;
        _redis = redis;
    }

    public string Postgres(string database = "echain") => _postgres.ConnectionString(database, maxPoolSize: 100);

    public string Redis => _redis.Configuration;

    /// <summary>The loopback ports, for the command-line tools that measure the services alone (pgbench, redis-benchmark).</summary>
    public int PostgresPort => _postgres.Port;

    public int RedisPort => _redis.Port;

    /// <summary>An empty database beside the main one, for an app instance that must start from nothing.</summary>
    public async Task<string> CreateDatabaseAsync(string database)
    {
        await _postgres.PsqlAsync($"create database {database}");
        return Postgres(database);
    }

    public Task DropDatabaseAsync(string database) => _postgres.PsqlAsync($"drop database {database}");

    public static async Task<BenchServices> StartAsync(string tmpRoot)
    {
        var root = Path.Combine(tmpRoot, DateTime.UtcNow.ToString("yyyyMMdd-HHmmss") + "-" + Environment.ProcessId);
        Directory.CreateDirectory(root);
        var postgres = await PostgresInstance.StartAsync(
            new PostgresOptions { DirectoryPrefix = "echain-bench-pg-", Settings = PostgresSettings });
        await postgres.PsqlAsync("create database echain");
        await postgres.PsqlAsync("create extension pg_stat_statements", database: "echain");
        // 5,000 SignalR clients share the backplane: room for more connections than Redis's default.
        var redis = new RedisInstance(new RedisOptions { AppendOnly = true, MaxClients = 10_000, DataDirectory = Path.Combine(root, "redis") });
        return new BenchServices(root, postgres, redis);
    }

    // Leftover temp data is not a failed run: cleanup failures are reported, not thrown.
    public async ValueTask DisposeAsync()
    {
        try { _redis.Dispose(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"could not remove the Redis folder: {e.Message}");
        }
        try { await _postgres.StopAndDeleteAsync(); }
        catch (InvalidOperationException e) { Console.Error.WriteLine($"pg_ctl stop: {e.Message}"); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"could not remove {_postgres.RootDirectory}: {e.Message}");
        }
        try { Directory.Delete(_root, recursive: true); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"could not remove {_root}: {e.Message}");
        }
    }
}
