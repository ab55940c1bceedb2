using System.Diagnostics;
using System.Text.Json;
using Echain.LocalServices;

namespace Echain.Bench;

/// <summary>
/// The measured server as a child process (this executable with --serve), so its CPU, GC and thread
/// pool are its own and not the load generator's. Logs go to bench/results/tmp.
/// </summary>
public sealed class Child : IAsyncDisposable
{
    private readonly Process _process;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public Uri BaseAddress { get; }
    public string Name { get; }
    public int Pid => _process.Id;

    private Child(string name, Process process, int port)
    {
        Name = name;
        _process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{port}/");
    }

    public static Task<Child> StartAsync(string name, string role, string logDirectory, params (string Key, string Value)[] options) =>
        StartAsync(name, role, logDirectory, LoopbackPort.Free(), options);

    /// <summary>On a given port: an instance started again where its clients reconnect.</summary>
    public static async Task<Child> StartAsync(string name, string role, string logDirectory, int port, params (string Key, string Value)[] options)
    {
        var self = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(self) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet") info.ArgumentList.Add(typeof(Child).Assembly.Location);
        foreach (var a in new[] { "--serve", role, "--port", port.ToString() }) info.ArgumentList.Add(a);
        foreach (var (key, value) in options) { info.ArgumentList.Add("--" + key); info.ArgumentList.Add(value); }
        // The app runs with the GC it ships with (ASP.NET Core: server GC); perf can resolve JIT frames.
        info.Environment["DOTNET_gcServer"] = "1";
        info.Environment["DOTNET_PerfMapEnabled"] = "1";
        // With W^X on (the default) perf sees jitted code as an anonymous memfd and cannot name it; BENCH_PROFILE=1 (bench/README.md,
        // "Profiling") turns it off for a profiling run only, since it changes what is measured.
        if (Environment.GetEnvironmentVariable("BENCH_PROFILE") == "1") info.Environment["DOTNET_EnableWriteXorExecute"] = "0";
        var process = Process.Start(info) ?? throw new InvalidOperationException("Cannot start the child server.");
        var log = File.CreateText(Path.Combine(logDirectory, $"{name}.log"));
        log.AutoFlush = true;
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var child = new Child(name, process, port);
        var deadline = Stopwatch.StartNew();
        var probe = role == "baseline" ? "bench/counters" : "api/health";
        while (true)
        {
            if (process.HasExited) throw new InvalidOperationException($"{name} exited with {process.ExitCode}; see {logDirectory}/{name}.log");
            try
            {
                using var response = await child._http.GetAsync(new Uri(child.BaseAddress, probe));
                if (response.IsSuccessStatusCode) break;
            }
            catch (HttpRequestException)
            {
                // Not listening yet: the exit check above and the deadline below end the wait.
            }
            if (deadline.Elapsed > TimeSpan.FromSeconds(90)) throw new TimeoutException($"{name} did not become healthy; see {name}.log");
            await Task.Delay(200);
        }
        return child;
    }

    public Uri Url(string relative) => new(BaseAddress, relative);

    /// <param name="fullGc">collect first, so the managed heap is what is live</param>
    public async Task<Counters> CountersAsync(bool fullGc = false)
    {
        var json = await _http.GetFromJsonAsync<JsonElement>(Url(fullGc ? "bench/counters?fullGc=true" : "bench/counters"));
        return new Counters(json);
    }

    public async Task ResetTimersAsync()
    {
        using var _ = await _http.PostAsync(Url("bench/reset"), null);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _http.Dispose();
    }
}

/// <summary>A /bench/counters snapshot; differences between two give a phase's figures.</summary>
public sealed class Counters(JsonElement json)
{
    public JsonElement Json => json;
    public double CpuMs => json.GetProperty("cpuMs").GetDouble();
    public double GcPauseMs => json.GetProperty("gcPauseMs").GetDouble();
    public double RssMb => json.GetProperty("rssMb").GetDouble();
    public double ManagedHeapMb => json.GetProperty("managedHeapMb").GetDouble();
    public long AllocatedBytes => json.GetProperty("allocatedBytes").GetInt64();
    public int Gen0 => json.GetProperty("gen0").GetInt32();
    public int Gen2 => json.GetProperty("gen2").GetInt32();

    /// <summary>Sum of every meter series whose key starts with the prefix (name, then optional |tag=value).</summary>
    public long Meter(string prefix)
    {
        long total = 0;
        foreach (var p in json.GetProperty("meters").EnumerateObject())
            if (p.Name.StartsWith(prefix, StringComparison.Ordinal)) total += p.Value.GetInt64();
        return total;
    }

    public Dictionary<string, (long Count, double TotalMs)> Timers() =>
        json.GetProperty("timers").EnumerateObject().ToDictionary(p => p.Name,
            p => ((long)p.Value[0].GetDouble(), p.Value[1].GetDouble()));
}
