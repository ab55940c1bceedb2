using System.Diagnostics;
using Echain.Core;
using Echain.LocalServices;
using StackExchange.Redis;

namespace Echain.Tests.Infrastructure;

/// <summary>
/// A private, throw-away redis-server on a free loopback port: no persistence, its own temp dir, killed
/// and deleted on Dispose. Stop()/Start() restart it on the same port (outage tests).
/// Use as a class fixture: each test class gets its own server, so classes run in parallel safely.
/// </summary>
public sealed class RedisServer : IDisposable
{
    private readonly RedisInstance _instance = new(new RedisOptions { AppendOnly = false });

    public int Port => _instance.Port;

    public string Configuration => _instance.Configuration;

    /// <summary>A multiplexer with the production defaults (fail fast, quick reconnect).</summary>
    public ConnectionMultiplexer Connect() => ConnectionMultiplexer.Connect(RedisConnectionDefaults.Parse(Configuration));

    public void Start() => _instance.Start();

    /// <summary>Kills the server (like a crash; no persistence, so its data is gone).</summary>
    public void Stop() => _instance.Stop();

    public void Dispose() => _instance.Dispose();
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
