using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Echain.LocalServices;

namespace Echain.Bench;

/// <summary>
/// A Node.js child of bench/harness (its packages pinned by package-lock.json; bench/run.sh installs them).
/// stdout carries one JSON object per line; stderr goes to the log. Disposing kills the process tree, so no node
/// process outlives the scenario whatever happened in it.
/// </summary>
public sealed class NodeChild : IAsyncDisposable
{
    private readonly string _name;
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Channel<JsonObject> _lines = Channel.CreateUnbounded<JsonObject>();

    public NodeChild(string name, string script, string logDirectory, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo("node")
        {
            UseShellExecute = false, RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
            WorkingDirectory = HarnessDirectory,
        };
        info.ArgumentList.Add(Path.Combine(HarnessDirectory, script));
        foreach (var a in arguments) info.ArgumentList.Add(a);
        _name = name;
        _process = Process.Start(info) ?? throw new InvalidOperationException($"Cannot start node {script}.");
        _log = File.CreateText(Path.Combine(logDirectory, $"{name}.log"));
        _log.AutoFlush = true;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) { _lines.Writer.TryComplete(); return; }
            if (e.Data.StartsWith('{') && JsonNode.Parse(e.Data) is JsonObject line) _lines.Writer.TryWrite(line);
            else lock (_log) _log.WriteLine(e.Data);
        };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (_log) _log.WriteLine(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>bench/harness, found from the executable's directory up (the build output lives below bench/).</summary>
    public static string HarnessDirectory { get; } = FindHarness();

    /// <summary>The process's CPU time so far (user + system), read from /proc by the runtime.</summary>
    public TimeSpan CpuTime
    {
        get { _process.Refresh(); return _process.TotalProcessorTime; }
    }

    public async Task SendAsync(object command) => await _process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(command));

    /// <summary>The next JSON line; an "error" answer or the process ending is an exception.</summary>
    public async Task<JsonObject> ReadAsync(TimeSpan limit)
    {
        using var timeout = new CancellationTokenSource(limit);
        try
        {
            var line = await _lines.Reader.ReadAsync(timeout.Token);
            if ((string?)line["reply"] == "error") throw new InvalidOperationException($"{_name}: {line["error"]}");
            return line;
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"{_name} exited; see its log");
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{_name} did not answer within {limit.TotalSeconds:F0} s; see its log");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        lock (_log) _log.Dispose();
    }

    private static string FindHarness()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "bench", "harness");
            if (File.Exists(Path.Combine(candidate, "fanout-clients.mjs"))) return candidate;
        }
        throw new DirectoryNotFoundException("bench/harness not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>The original design's realtime server, bare: Socket.IO 4.8 rooms and POST /emit (bench/harness/socketio-server.mjs).</summary>
public sealed class SocketIoPeer(NodeChild process, Uri baseAddress) : IAsyncDisposable
{
    public Uri BaseAddress => baseAddress;
    public TimeSpan CpuTime => process.CpuTime;

    public static async Task<SocketIoPeer> StartAsync(string logDirectory)
    {
        var port = LoopbackPort.Free();
        var process = new NodeChild("socketio-server", "socketio-server.mjs", logDirectory, [port.ToString()]);
        try
        {
            await process.ReadAsync(TimeSpan.FromSeconds(30)); // {"ready": port}
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            await process.DisposeAsync();
            throw;
        }
        return new SocketIoPeer(process, new Uri($"http://127.0.0.1:{port}/"));
    }

    public ValueTask DisposeAsync() => process.DisposeAsync();
}

/// <summary>
/// bench/harness/fanout-clients.mjs: N clients of one target, the same code for Echain and Socket.IO. Connects,
/// then per measured phase counts receipts and records latency from the send time each message carries.
/// </summary>
public sealed class FanoutHarness(NodeChild process) : IAsyncDisposable
{
    /// <summary>The harness process's CPU time so far (all its client threads).</summary>
    public TimeSpan CpuTime => process.CpuTime;


    public static async Task<FanoutHarness> StartAsync(string name, string logDirectory, bool socketIo, Uri server, int eventId,
        string join = "http", string protocol = "json")
    {
        var process = new NodeChild(name, "fanout-clients.mjs", logDirectory,
        [
            "--target", socketIo ? "socketio" : "echain", "--url", server.GetLeftPart(UriPartial.Authority), "--event", eventId.ToString(),
            "--join", join, "--protocol", protocol, "--concurrency", "32",
        ]);
        try
        {
            await process.ReadAsync(TimeSpan.FromSeconds(30)); // {"reply":"ready"}
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            await process.DisposeAsync();
            throw;
        }
        return new FanoutHarness(process);
    }

    /// <summary>Connects and joins <paramref name="clients"/> more clients; the answer says how many failed and how long it took.</summary>
    public async Task<ConnectResult> ConnectAsync(int clients)
    {
        await process.SendAsync(new { cmd = "connect", clients });
        var answer = await process.ReadAsync(TimeSpan.FromMinutes(10));
        return new ConnectResult((int)answer["connected"]!, (int)answer["failed"]!, (double)answer["seconds"]!, (string?)answer["firstError"]);
    }

    public async Task StartPhaseAsync()
    {
        await process.SendAsync(new { cmd = "start" });
        await process.ReadAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Waits (bounded, in the harness) until every client has <paramref name="expectedPerClient"/> messages.</summary>
    public async Task<FanoutPhase> EndPhaseAsync(long expectedPerClient)
    {
        await process.SendAsync(new { cmd = "end", expectedPerClient, timeoutMs = 60_000, stallMs = 5_000 });
        var a = await process.ReadAsync(TimeSpan.FromSeconds(90));
        var latency = new Latency();
        foreach (var bucket in a["latencyMicros"]!.AsArray())
            latency.Record((long)bucket![0]!, (long)bucket[1]!);
        return new FanoutPhase((int)a["clients"]!, (long)a["received"]!, (long)a["expected"]!, (int)a["clientsShort"]!,
            (int)a["clientsClosed"]!, (long)a["malformed"]!, (double)a["seconds"]!, (double)a["cpuUserMs"]! + (double)a["cpuSystemMs"]!, latency);
    }

    public ValueTask DisposeAsync() => process.DisposeAsync();
}

public sealed record ConnectResult(int Connected, int Failed, double Seconds, string? FirstError);

/// <summary>One measured phase as the harness saw it: receipts against expected, and the latency histogram.</summary>
public sealed record FanoutPhase(int Clients, long Received, long Expected, int ClientsShort, int ClientsClosed, long Malformed,
    double Seconds, double CpuMs, Latency Latency);
