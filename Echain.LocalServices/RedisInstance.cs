using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Echain.LocalServices;

/// <summary>What a caller chooses about its Redis; the rest (loopback only, no RDB snapshots) is fixed.</summary>
public sealed record RedisOptions
{
    /// <summary>Append-only file (fsync every second, Redis's default) as ./run.sh runs it; off: memory only.</summary>
    public bool AppendOnly { get; init; }

    /// <summary>--maxclients; null keeps Redis's default.</summary>
    public int? MaxClients { get; init; }

    /// <summary>The instance's folder (created, deleted on Dispose); null: a new folder in the temp directory.</summary>
    public string? DataDirectory { get; init; }
}

/// <summary>
/// A private redis-server (Debian package) on a free loopback port, in its own folder. Stop()/Start()
/// restart it on the same port (outage tests); Dispose kills it and deletes the folder.
/// </summary>
public sealed class RedisInstance : IDisposable
{
    private static readonly string[] Candidates = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"];
    // Another process may take the probed port before the server binds it.
    private const int StartAttempts = 5;
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(15);

    private readonly RedisOptions _options;
    private readonly string _binary;
    private readonly string _directory;
    private Process? _process;

    public RedisInstance(RedisOptions options)
    {
        _options = options;
        _binary = Environment.GetEnvironmentVariable("REDIS_SERVER") is { Length: > 0 } configured
            ? configured
            : Candidates.FirstOrDefault(File.Exists)
              ?? throw new InvalidOperationException(
                  "redis-server not found (looked at REDIS_SERVER, " + string.Join(", ", Candidates) + "). " +
                  "Install the Debian package: apt-get install -y redis-server");
        _directory = options.DataDirectory is { } directory
            ? Directory.CreateDirectory(directory).FullName
            : Directory.CreateTempSubdirectory("echain-redis-").FullName;
        Port = LoopbackPort.StartOnFree<RedisStartException>(StartAttempts, port =>
        {
            Port = port;
            Start();
        });
    }

    public int Port { get; private set; }

    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>Starts the server on its port unless it runs; returns once it answers PING.</summary>
    public void Start()
    {
        if (_process is { HasExited: false })
            return;
        var log = Path.Combine(_directory, "redis.log");
        var info = new ProcessStartInfo(_binary) { UseShellExecute = false, WorkingDirectory = _directory };
        foreach (var arg in new[]
                 {
                     "--port", Port.ToString(), "--bind", "127.0.0.1", "--protected-mode", "no",
                     "--save", "", "--appendonly", _options.AppendOnly ? "yes" : "no",
                     "--dir", _directory, "--logfile", log, "--daemonize", "no",
                 })
            info.ArgumentList.Add(arg);
        if (_options.MaxClients is { } maxClients)
        {
            info.ArgumentList.Add("--maxclients");
            info.ArgumentList.Add(maxClients.ToString());
        }
        _process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {_binary}.");

        if (ServerProcess.WaitUntilAnswering(_process, Pings, StartLimit))
            return;
        if (_process.HasExited)
            throw new RedisStartException($"redis-server exited with {_process.ExitCode} on port {Port}: {ReadLog(log)}");
        Stop();
        throw new RedisStartException(
            $"redis-server did not answer PING on port {Port} within {StartLimit.TotalSeconds} s: {ReadLog(log)}");
    }

    /// <summary>Kills the server, like a crash: without the append-only file its data is gone.</summary>
    public void Stop() => ServerProcess.Kill(ref _process);

    public void Dispose()
    {
        Stop();
        Directory.Delete(_directory, recursive: true);
    }

    private bool Pings()
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            stream.Write("PING\r\n"u8);
            var buffer = new byte[16];
            var read = stream.Read(buffer);
            return Encoding.ASCII.GetString(buffer, 0, read).StartsWith("+PONG", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false; // not listening yet
        }
        catch (IOException)
        {
            return false; // still starting (e.g. closed the connection while loading)
        }
    }

    private static string ReadLog(string path) => File.Exists(path) ? File.ReadAllText(path) : "(no log)";

    private sealed class RedisStartException(string message) : Exception(message);
}
