using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Echain.Core;
using Echain.Core.Queue;
using Echain.Functions.Standalone.Queue;
using StackExchange.Redis;

namespace Echain.Tests.Infrastructure;

/// <summary>
/// A private, throw-away redis-server (Debian package) on a free loopback port: no persistence, its own
/// temp dir, killed and deleted on Dispose. Stop()/Start() restart it on the same port (outage tests).
/// Use as a class fixture: each test class gets its own server, so classes run in parallel safely.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private static readonly string[] Candidates = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"];
    private readonly string _binary;
    private readonly string _directory;
    private Process? _process;

    public RedisServer()
    {
        _binary = Environment.GetEnvironmentVariable("REDIS_SERVER") is { Length: > 0 } configured
            ? configured
            : Candidates.FirstOrDefault(File.Exists)
              ?? throw new InvalidOperationException(
                  "redis-server not found (looked at REDIS_SERVER, " + string.Join(", ", Candidates) + "). " +
                  "Install the Debian package: apt-get install -y redis-server");
        _directory = Directory.CreateTempSubdirectory("echain-redis-").FullName;
        // Another test class may take the port between probing and binding: try a few.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort();
            try
            {
                Start();
                return;
            }
            catch (RedisServerStartException) when (attempt < 5)
            {
            }
        }
    }

    public int Port { get; private set; }

    public string Configuration => $"127.0.0.1:{Port}";

    /// <summary>A multiplexer with the production defaults (fail fast, quick reconnect).</summary>
    public ConnectionMultiplexer Connect() => ConnectionMultiplexer.Connect(RedisConnectionDefaults.Parse(Configuration));

    public void Start()
    {
        if (_process is { HasExited: false })
            return;
        var log = Path.Combine(_directory, "redis.log");
        var info = new ProcessStartInfo(_binary)
        {
            UseShellExecute = false,
            WorkingDirectory = _directory,
        };
        foreach (var arg in new[]
                 {
                     "--port", Port.ToString(), "--bind", "127.0.0.1", "--protected-mode", "no",
                     "--save", "", "--appendonly", "no", "--dir", _directory, "--logfile", log, "--daemonize", "no",
                 })
            info.ArgumentList.Add(arg);
        _process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {_binary}.");

        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(15))
        {
            if (_process.HasExited)
                throw new RedisServerStartException(
                    $"redis-server exited with {_process.ExitCode} on port {Port}: {ReadLog(log)}");
            if (Pings())
                return;
            Thread.Sleep(20);
        }
        Stop();
        throw new RedisServerStartException($"redis-server did not answer PING on port {Port} within 15 s: {ReadLog(log)}");
    }

    /// <summary>Kills the server (like a crash; no persistence, so its data is gone).</summary>
    public void Stop()
    {
        if (_process is null)
            return;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
        _process.Dispose();
        _process = null;
    }

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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string ReadLog(string path) => File.Exists(path) ? File.ReadAllText(path) : "(no log)";

    private sealed class RedisServerStartException(string message) : Exception(message);
}

public static class Eventually
{
    /// <summary>Polls until <paramref name="condition"/> holds; the deadline only stops a hung test.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, string what, int seconds = 30)
    {
        var deadline = Stopwatch.StartNew();
        while (!await condition())
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(seconds))
                throw new Xunit.Sdk.XunitException($"Timed out after {seconds} s waiting until {what}.");
            await Task.Delay(20);
        }
    }

    public static Task TrueAsync(Func<bool> condition, string what, int seconds = 30) =>
        TrueAsync(() => Task.FromResult(condition()), what, seconds);
}
