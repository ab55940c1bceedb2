using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Echain.Bench;

/// <summary>
/// Private PostgreSQL 15 and Redis 7 (Debian packages) on free loopback ports, stopped and deleted at
/// the end: Redis under bench/results/tmp/&lt;run&gt;, PostgreSQL in its own /tmp folder, because the
/// postgres user (PostgreSQL refuses root) may not be able to enter the checkout (a clone in a private
/// directory, as CI makes). PostgreSQL keeps its durable defaults
/// (fsync and synchronous_commit on), Redis appends to its AOF every second, as ./run.sh does.
/// </summary>
public sealed class LocalServices : IAsyncDisposable
{
    private const string PgBin = "/usr/lib/postgresql/15/bin";
    private readonly string _root;
    private readonly bool _asPostgres = Environment.UserName == "root";
    private Process? _redis;

    public int PgPort { get; private set; }
    public int RedisPort { get; private set; }
    private readonly string _pgRoot = Directory.CreateTempSubdirectory("echain-bench-pg-").FullName;
    public string PgData => Path.Combine(_pgRoot, "data");

    private LocalServices(string root) => _root = root;

    public string Postgres(string database = "echain") =>
        $"Host=127.0.0.1;Port={PgPort};Username=postgres;Database={database};Maximum Pool Size=100;Timeout=30;Command Timeout=60";

    public string Redis => $"127.0.0.1:{RedisPort}";

    public static async Task<LocalServices> StartAsync(string tmpRoot)
    {
        var root = Path.Combine(tmpRoot, DateTime.UtcNow.ToString("yyyyMMdd-HHmmss") + "-" + Environment.ProcessId);
        Directory.CreateDirectory(root);
        var services = new LocalServices(root);
        await services.StartPostgresAsync();
        services.StartRedis();
        return services;
    }

    private async Task StartPostgresAsync()
    {
        if (!File.Exists(Path.Combine(PgBin, "initdb")))
            throw new InvalidOperationException("PostgreSQL 15 is not installed (apt-get install postgresql-15); bench/run.sh installs it.");
        Directory.CreateDirectory(PgData);
        var sockets = Path.Combine(_pgRoot, "sock");
        Directory.CreateDirectory(sockets);
        if (_asPostgres) await RunAsync("chown", ["-R", "postgres:postgres", _pgRoot], false);
        await RunAsync(Path.Combine(PgBin, "initdb"), ["-D", PgData, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale"], _asPostgres);
        PgPort = FreePort();
        await RunAsync(Path.Combine(PgBin, "pg_ctl"), ["start", "-D", PgData, "-w", "-t", "60", "-l", Path.Combine(_pgRoot, "postgres.log"),
            "-o", $"-p {PgPort} -k {sockets} -c listen_addresses=127.0.0.1 -c max_connections=300 -c shared_buffers=128MB -c shared_preload_libraries=pg_stat_statements -c track_wal_io_timing=on -c track_io_timing=on"], _asPostgres);
        await RunAsync("psql", ["-h", "127.0.0.1", "-p", PgPort.ToString(), "-U", "postgres", "-qc", "create database echain"], _asPostgres);
        await RunAsync("psql", ["-h", "127.0.0.1", "-p", PgPort.ToString(), "-U", "postgres", "-d", "echain", "-qc", "create extension pg_stat_statements"], _asPostgres);
    }

    private void StartRedis()
    {
        var dir = Path.Combine(_root, "redis");
        Directory.CreateDirectory(dir);
        RedisPort = FreePort();
        var info = new ProcessStartInfo("redis-server") { UseShellExecute = false, WorkingDirectory = dir };
        foreach (var a in new[] { "--port", RedisPort.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
                     "--dir", dir, "--logfile", Path.Combine(dir, "redis.log"), "--daemonize", "no", "--maxclients", "10000" })
            info.ArgumentList.Add(a);
        _redis = Process.Start(info) ?? throw new InvalidOperationException("Cannot start redis-server.");
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            try
            {
                using var client = new TcpClient();
                client.Connect(IPAddress.Loopback, RedisPort);
                return;
            }
            catch (SocketException) { Thread.Sleep(50); }
        }
        throw new InvalidOperationException("redis-server did not start.");
    }

    public async ValueTask DisposeAsync()
    {
        if (_redis is { HasExited: false })
        {
            _redis.Kill();
            await _redis.WaitForExitAsync();
        }
        try { await RunAsync(Path.Combine(PgBin, "pg_ctl"), ["stop", "-D", PgData, "-m", "fast", "-w"], _asPostgres); }
        catch (InvalidOperationException e) { Console.Error.WriteLine($"pg_ctl stop: {e.Message}"); }
        foreach (var dir in new[] { _root, _pgRoot })
        {
            try { Directory.Delete(dir, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"could not remove {dir}: {e.Message}"); // leftover temp data, not a failed run
            }
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public static async Task<string> RunAsync(string file, IReadOnlyList<string> args, bool asPostgres)
    {
        var start = new ProcessStartInfo(asPostgres ? "runuser" : file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = "/", // the checkout may be a directory the postgres user cannot read
        };
        if (asPostgres) foreach (var a in new[] { "-u", "postgres", "--", file }) start.ArgumentList.Add(a);
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {file}.");
        // pg_ctl start leaves the server holding inherited pipes: read only until the tool exits.
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        var output = await Task.WhenAny(stdout, Task.Delay(500)) == stdout ? await stdout : "";
        if (process.ExitCode != 0)
        {
            var error = await Task.WhenAny(stderr, Task.Delay(500)) == stderr ? await stderr : "";
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {error} {output}");
        }
        return output;
    }
}
