using System.ComponentModel;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Echain.Core.Queue;
using Echain.Core.Webhooks;
using Echain.LocalServices;

namespace Echain.Bench;

public sealed partial class Bench
{
    /// <summary>The response headers the baseline GET replays from the app's cached read: what else the app sets besides Kestrel's own.</summary>
    private static readonly HashSet<string> KestrelOwnHeaders = new(StringComparer.OrdinalIgnoreCase) { "Date", "Server", "Content-Length", "Transfer-Encoding" };

    // ---------------------------------------------------------------- 0. baselines
    /// <summary>
    /// What the machine's own services do without the app, on the benchmark's private PostgreSQL and Redis, before any app
    /// load: the goals divide our figures by these. A missing tool is broken, not skipped: a goal would lose its baseline.
    /// </summary>
    private async Task BaselinesAsync()
    {
        await ToolAsync("pgbench", PgbenchAsync);
        await ToolAsync("redis-benchmark", RedisBenchmarkAsync);
    }

    private async Task ToolAsync(string tool, Func<Task> measure)
    {
        try
        {
            await measure();
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or FormatException)
        {
            Broken($"baselines: {tool} failed: {e.Message}");
        }
    }

    private async Task PgbenchAsync()
    {
        const string database = "pgbench_baseline";
        var scale = _mode == Mode.Smoke ? 1 : 10;
        var seconds = Math.Max(1, (int)_mode.Phase.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        await _services.CreateDatabaseAsync(database);
        try
        {
            string[] connection = ["-h", "127.0.0.1", "-p", _services.PostgresPort.ToString(CultureInfo.InvariantCulture), "-U", "postgres"];
            await Pgbench(null, [.. connection, "-i", "-q", "-s", scale.ToString(CultureInfo.InvariantCulture), database]);
            foreach (var (figure, mode) in new[] { (Goals.PgbenchSimpleUpdate, "-N"), (Goals.PgbenchSelectOnly, "-S") })
            {
                var pgCpu0 = CommandCpu.Ms("postgres");
                var output = await Pgbench(figure, [.. connection, mode, "-c", "16", "-j", "2", "-T", seconds, database]);
                await Task.Delay(200); // the postmaster reaps the exited backends, whose CPU it then counts
                var pgCpuMs = CommandCpu.Ms("postgres") - pgCpu0;
                // "tps = 1234.567890 (without initial connection time)": the rate once every client is connected.
                var tps = Regex.Match(output, @"tps = ([0-9.]+) \(without initial connection time\)");
                if (!tps.Success) throw new FormatException($"pgbench printed no tps line: {output}");
                _results.Add(figure.Section, figure.Name, "tps", double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture));
                // What one transaction costs the server: the projector's PostgreSQL CPU per event compares with this.
                var processed = Regex.Match(output, @"number of transactions actually processed: ([0-9]+)");
                if (processed.Success && long.Parse(processed.Groups[1].Value, CultureInfo.InvariantCulture) is > 0 and var count)
                    _results.Add(figure.Section, $"{figure.Name}: PostgreSQL CPU per transaction", "ms", pgCpuMs / count);
            }
        }
        finally
        {
            await _services.DropDatabaseAsync(database);
        }
    }

    /// <summary>pgbench from the server's own package (postgresql-15 ships it beside initdb); the figure's command goes into the details.</summary>
    private async Task<string> Pgbench(FigureRef? figure, string[] args)
    {
        var tool = Path.Combine(PostgresInstance.BinDirectory, "pgbench");
        var output = await ExternalTool.RunAsync(tool, args);
        if (figure is not null) _results.Details[$"baseline command: {figure.Name}"] = $"{tool} {string.Join(' ', args)}";
        return output;
    }

    private async Task RedisBenchmarkAsync()
    {
        const string key = "bench:baseline";
        var requests = (_mode == Mode.Smoke ? 2_000 : (int)(_mode.Phase.TotalSeconds * 50_000)).ToString(CultureInfo.InvariantCulture);
        string[] common = ["-h", "127.0.0.1", "-p", _services.RedisPort.ToString(CultureInfo.InvariantCulture), "-c", "50", "-n", requests, "--csv"];
        await RedisBenchmarkAsync(Goals.RedisGet, [.. common, "-t", "get"]);
        try
        {
            // The same XADD the webhook sends: one stream, one field, a message of the size a queued chain event has.
            await RedisBenchmarkAsync(Goals.RedisXadd, [.. common, "XADD", key, "*", "data", QueuedMessageOfTypicalSize()]);
        }
        finally
        {
            await ExternalTool.RunAsync("redis-cli", ["-h", "127.0.0.1", "-p", _services.RedisPort.ToString(CultureInfo.InvariantCulture), "DEL", key]);
        }
    }

    private async Task RedisBenchmarkAsync(FigureRef figure, string[] args)
    {
        var output = await ExternalTool.RunAsync("redis-benchmark", args);
        _results.Details[$"baseline command: {figure.Name}"] = "redis-benchmark " + string.Join(' ', args.Select(a => a.Length > 40 ? $"[a {a.Length}-byte message]" : a));
        // --csv: a header line, then "test","rps",…; the custom command's test name is the command itself.
        var row = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .FirstOrDefault(l => !l.StartsWith("\"test\"", StringComparison.Ordinal))
            ?? throw new FormatException($"redis-benchmark printed no result row: {output}");
        var rps = Regex.Match(row, "\",\"([0-9.]+)\"");
        if (!rps.Success) throw new FormatException($"redis-benchmark row without requests/s: {row}");
        _results.Add(figure.Section, figure.Name, "req/s", double.Parse(rps.Groups[1].Value, CultureInfo.InvariantCulture));
    }

    /// <summary>A queued message as the ingest writes it for the payments the ingest scenario sends, trace members included.</summary>
    private string QueuedMessageOfTypicalSize()
    {
        var activity = _synthetic.PayUsdc(_wallets[0], _wallets[1], 1_000_000)[0];
        var parsed = CoinbaseWebhookParser.Parse(activity.ToJson(), Guid.NewGuid().ToString());
        if (parsed.Error is { } error) throw new InvalidOperationException($"the synthetic payment does not parse: {error.Message}");
        var trace = new QueuedTrace($"00-{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())}-{Convert.ToHexStringLower(BitConverter.GetBytes(1L))}-01",
            null, DateTimeOffset.UtcNow);
        return ChainEventMessage.Serialize(parsed.Events[0], trace);
    }

    /// <summary>
    /// Bare Kestrel serving the bytes of one cached GET /api/events/{id} of the app (body, Content-Type and the headers
    /// the app adds), driven exactly as the cached-read figure: what the cached read would do if the app cost nothing.
    /// </summary>
    private async Task BareKestrelGetAsync(Child baseline)
    {
        using var original = await _http.GetAsync(_app.Url($"api/events/{FirstReadEvent}"));
        if (original.StatusCode != HttpStatusCode.OK) { Broken($"baseline GET: the app answered {(int)original.StatusCode} to the read it copies"); return; }
        var body = await original.Content.ReadAsByteArrayAsync();
        using var copy = new ByteArrayContent(body);
        copy.Headers.ContentType = original.Content.Headers.ContentType;
        foreach (var (name, values) in original.Headers.Concat(original.Content.Headers))
            if (!KestrelOwnHeaders.Contains(name) && !name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
                copy.Headers.TryAddWithoutValidation(ServeMode.ReplayedHeaderPrefix + name, values);
        using (var stored = await _http.PostAsync(baseline.Url("bench/static-response"), copy))
            if (stored.StatusCode != HttpStatusCode.NoContent) { Broken($"baseline GET: storing the response answered {(int)stored.StatusCode}"); return; }

        var result = await LoadGen.ClosedLoopAsync(_mode.ReadClients, _mode.Phase, async _ =>
        {
            using var response = await _http.GetAsync(baseline.Url("static"), HttpCompletionOption.ResponseContentRead);
            return response.StatusCode == HttpStatusCode.OK;
        });
        if (result.Errors > 0) Broken($"baseline GET: {result.Errors} errors ({result.FirstError})");
        _results.Add(Goals.KestrelGet.Section, Goals.KestrelGet.Name, "req/s", result.Throughput);
        _results.Details["baseline command: bare Kestrel GET"] = new
        {
            route = "GET /static on the baseline child", bodyBytes = body.Length, contentType = original.Content.Headers.ContentType?.ToString(),
            replayedHeaders = original.Headers.Select(h => h.Key).Where(h => !KestrelOwnHeaders.Contains(h)).ToArray(),
            clients = _mode.ReadClients, seconds = _mode.Phase.TotalSeconds,
        };
    }
}
