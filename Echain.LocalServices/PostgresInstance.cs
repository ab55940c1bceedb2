using System.Diagnostics;
using Npgsql;

namespace Echain.LocalServices;

/// <summary>What a caller chooses about its cluster; the rest (loopback only, trust auth, layout) is fixed.</summary>
public sealed record PostgresOptions
{
    /// <summary>Name prefix of the cluster's folder in the temp directory, so leftovers can be recognised.</summary>
    public required string DirectoryPrefix { get; init; }

    /// <summary>Server settings as <c>name=value</c>, passed as <c>-c</c> options after <c>listen_addresses</c>.</summary>
    public IReadOnlyList<string> Settings { get; init; } = [];

    /// <summary>initdb --no-sync: faster, for a cluster that is thrown away anyway.</summary>
    public bool InitdbWithoutSync { get; init; }
}

/// <summary>
/// A private PostgreSQL 15 (Debian package) on a free loopback port, in its own folder in the temp
/// directory (data/, sock/, postgres.log) because the postgres user may not be able to enter the
/// checkout. As root, initdb and pg_ctl run as the postgres user: PostgreSQL refuses to run as root.
/// </summary>
public sealed class PostgresInstance
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";
    // Another process may take the probed port before the server binds it.
    private const int StartAttempts = 3;

    // pg_ctl start reads no options back from an earlier start: a restart passes the same ones.
    private readonly string _serverOptions;

    private PostgresInstance(string rootDirectory, int port, bool asPostgresUser, string serverOptions)
    {
        RootDirectory = rootDirectory;
        Port = port;
        AsPostgresUser = asPostgresUser;
        _serverOptions = serverOptions;
    }

    public int Port { get; }
    public string RootDirectory { get; }
    public string DataDirectory => Path.Combine(RootDirectory, "data");
    public bool AsPostgresUser { get; }

    public static async Task<PostgresInstance> StartAsync(PostgresOptions options)
    {
        foreach (var tool in new[] { "initdb", "pg_ctl", "postgres" })
            if (!File.Exists(Tool(tool)))
                throw new InvalidOperationException(
                    $"PostgreSQL 15 is not installed: {Tool(tool)} is missing. Install the Debian package " +
                    "postgresql-15 (test.sh and bench/run.sh do: apt-get install -y postgresql-15).");

        var asPostgresUser = Environment.UserName == "root";
        var root = Directory.CreateTempSubdirectory(options.DirectoryPrefix).FullName;
        var data = Path.Combine(root, "data");
        var sockets = Path.Combine(root, "sock");
        Directory.CreateDirectory(sockets);
        if (asPostgresUser)
            await ExternalTool.RunAsync("chown", ["-R", "postgres:postgres", root]);

        await ExternalTool.RunAsync(Tool("initdb"),
            ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-locale", .. options.InitdbWithoutSync ? ["--no-sync"] : Array.Empty<string>()],
            asPostgresUser);

        var settings = string.Concat(options.Settings.Select(setting => " -c " + setting));
        for (var attempt = 1; ; attempt++)
        {
            var port = LoopbackPort.Free();
            try
            {
                var serverOptions = $"-p {port} -k {sockets} -c listen_addresses=127.0.0.1{settings}";
                await ExternalTool.RunAsync(Tool("pg_ctl"),
                    ["start", "-D", data, "-w", "-t", "60", "-l", Path.Combine(root, "postgres.log"), "-o", serverOptions], asPostgresUser);
                return new PostgresInstance(root, port, asPostgresUser, serverOptions);
            }
            catch (InvalidOperationException) when (attempt < StartAttempts)
            {
                // Most likely the port was taken between probing and binding: try another one.
            }
        }
    }

    public string ConnectionString(string database, int maxPoolSize) =>
        new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = Port, Username = "postgres", Database = database,
            MaxPoolSize = maxPoolSize, Timeout = 30, CommandTimeout = 60,
        }.ConnectionString;

    /// <summary>Runs one SQL command with psql (as the postgres user when root).</summary>
    public Task<string> PsqlAsync(string sql, string database = "postgres") =>
        ExternalTool.RunAsync("psql",
            ["-h", "127.0.0.1", "-p", Port.ToString(), "-U", "postgres", "-d", database, "-qc", sql], AsPostgresUser);

    /// <summary>Stops the server (fast shutdown, waited for) and keeps its folder, for <see cref="RestartAsync"/>: an outage.</summary>
    public Task StopAsync() =>
        ExternalTool.RunAsync(Tool("pg_ctl"), ["stop", "-D", DataDirectory, "-m", "fast", "-w"], AsPostgresUser);

    /// <summary>Starts a server stopped with <see cref="StopAsync"/> again, on the same port with the same settings.</summary>
    public Task RestartAsync() =>
        ExternalTool.RunAsync(Tool("pg_ctl"), ["start", "-D", DataDirectory, "-w", "-t", "60", "-l", Path.Combine(RootDirectory, "postgres.log"),
            "-o", _serverOptions], AsPostgresUser);

    /// <summary>Stops the server (fast shutdown, waited for) and deletes its folder; failures throw.</summary>
    public async Task StopAndDeleteAsync()
    {
        await ExternalTool.RunAsync(Tool("pg_ctl"), ["stop", "-D", DataDirectory, "-m", "fast", "-w"], AsPostgresUser);
        Directory.Delete(RootDirectory, recursive: true);
    }

    /// <summary>
    /// For ProcessExit: the process may be killed moments later (a test host is), so stopping and
    /// deleting run in a detached shell that outlives it (setsid: its own session, not killed with it).
    /// </summary>
    public void StopAndDeleteAfterExit()
    {
        var stop = $"{Tool("pg_ctl")} stop -D '{DataDirectory}' -m immediate -w";
        if (AsPostgresUser) stop = "runuser -u postgres -- " + stop;
        try
        {
            using var process = Process.Start(new ProcessStartInfo("setsid", ["sh", "-c", $"{stop} >/dev/null 2>&1; rm -rf '{RootDirectory}'"])
            {
                UseShellExecute = false,
                WorkingDirectory = "/",
            });
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            // Nothing more can be done at exit; DeleteStaleDirectories removes the folder on a later run.
            Console.Error.WriteLine($"could not stop PostgreSQL in {RootDirectory}: {e.Message}");
        }
    }

    /// <summary>Removes folders of earlier runs (a killed process) whose server is gone.</summary>
    public static void DeleteStaleDirectories(string directoryPrefix)
    {
        foreach (var directory in Directory.EnumerateDirectories(Path.GetTempPath(), directoryPrefix + "*"))
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

    private static string Tool(string name) => Path.Combine(BinDirectory, name);
}
