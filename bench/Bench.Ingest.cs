using Echain.Demo.Chain;

namespace Echain.Bench;

public sealed partial class Bench
{
    // ---------------------------------------------------------------- 1. ingest
    private async Task IngestAsync(Child baseline, int run)
    {
        const string s = "1. Webhook ingest";
        var app = Sender(_app);
        var empty = Sender(baseline, "empty");
        CdpActivity Payment(long i) => _synthetic.PayUsdc(_wallets[i % _wallets.Length], _wallets[(i * 7 + 1) % _wallets.Length], 1_000_000 + i)[0];

        foreach (var rate in _mode.IngestRates)
        {
            var before = await _app.CountersAsync();
            var generatorPause = GC.GetTotalPauseDuration();
            var cpu = CpuShares.Take(_app.Pid);
            var result = await LoadGen.OpenLoopAsync(rate, _mode.Phase, i => SendAsync(app, Payment(i)));
            var after = await _app.CountersAsync();
            if (rate == _mode.IngestRates.Max()) AddCpuShares(s, $"the {rate:N0}/s phase", cpu);
            // Tail latency candidates, measured: stop-the-world pauses in the app and in the generator itself.
            _results.Add(s, $"app GC pause total during the {rate:N0}/s phase", "ms", after.GcPauseMs - before.GcPauseMs);
            _results.Add(s, $"app gen0 collections during the {rate:N0}/s phase", "count", after.Gen0 - before.Gen0);
            _results.Add(s, $"load generator GC pause total during the {rate:N0}/s phase", "ms", (GC.GetTotalPauseDuration() - generatorPause).TotalMilliseconds);
            if (result.Errors > 0 || result.Dropped > 0)
                _results.Findings.Add($"ingest at {rate}/s: {result.Errors} errors, {result.Dropped} dropped by the generator ({result.FirstError})");
            _results.Add(s, $"p50 at {rate:N0}/s", "ms", result.Latency.Ms(50));
            _results.Add(s, $"p99 at {rate:N0}/s", "ms", result.Latency.Ms(99), "≤ 20 ms", BenchResults.AtMost(20));
            _results.Add(s, $"achieved rate at {rate:N0}/s", "req/s", result.Ok / _mode.Phase.TotalSeconds);
            _results.Curves[$"ingest {rate:N0}/s"] = result.Latency;
            if (_mode.DrainBetweenIngestPhases) await DrainAsync(after.Meter("echain.events.queued"), TimeSpan.FromMinutes(10));
        }

        // Diagnostic: the same top rate against an ingest-only instance on a stream nobody consumes, so
        // no projector shares the two cores. The difference to the row above is what projection costs ingest.
        if (run == 1)
        {
            var top = _mode.IngestRates.Max();
            // The main instance is still projecting what the rate phases queued: let it finish first.
            await DrainAsync((await _app.CountersAsync()).Meter("echain.events.queued"), TimeSpan.FromMinutes(10));
            await using var ingestOnly = await Child.StartAsync("app-ingest-only", "app", _logs,
                ("pg", _services.Postgres()), ("redis", _services.Redis), ("consume", "false"), ("stream", "echain:bench:ingest-only"));
            // A fresh process is JIT-cold: warm it the way the main instance was warmed before measuring.
            await LoadGen.OpenLoopAsync(Math.Min(top, 500), TimeSpan.FromSeconds(2), i => SendAsync(Sender(ingestOnly), Payment(i)));
            var isolated = await LoadGen.OpenLoopAsync(top, _mode.Phase, i => SendAsync(Sender(ingestOnly), Payment(i)));
            if (isolated.Errors > 0) Broken($"ingest-only instance: {isolated.Errors} webhooks not answered 202 ({isolated.FirstError})");
            _results.Add(s, $"diagnostic: p99 at {top:N0}/s, ingest-only instance (no projector running)", "ms", isolated.Latency.Ms(99));
            _results.Add(s, $"diagnostic: p50 at {top:N0}/s, ingest-only instance (no projector running)", "ms", isolated.Latency.Ms(50));
        }

        var b0 = await baseline.CountersAsync();
        var baseSat = await LoadGen.ClosedLoopAsync(_mode.Workers, _mode.Phase, i => SendAsync(empty, Payment(i)));
        var b1 = await baseline.CountersAsync();

        var a0 = await _app.CountersAsync();
        await _app.ResetTimersAsync();
        var profile = _mode.Profile && run == 1 ? Profiler.StartAsync(_app.Pid, TimeSpan.FromSeconds(Math.Min(5, _mode.Phase.TotalSeconds - 1)), _logs) : null;
        var appSat = await LoadGen.ClosedLoopAsync(_mode.Workers, _mode.Phase, i => SendAsync(app, Payment(i)));
        var a1 = await _app.CountersAsync();
        if (profile is not null) _results.Details["perf: app during ingest saturation"] = await profile;
        if (appSat.Errors > 0) Broken($"ingest saturation: {appSat.Errors} webhooks not answered 202 ({appSat.FirstError})");

        _results.Add(s, "signed webhooks/s at saturation (64 clients)", "req/s", appSat.Throughput, "≥ 3,000/s (original design: 100/s)", BenchResults.AtLeast(3000));
        _results.Add(s, "baseline: empty Kestrel POST at saturation", "req/s", baseSat.Throughput);
        _results.Add(s, "ours / baseline", "ratio", appSat.Throughput / baseSat.Throughput);
        _results.Add(s, "app CPU per webhook at saturation", "ms", (a1.CpuMs - a0.CpuMs) / Math.Max(1, appSat.Ok));
        _results.Add(s, "baseline CPU per request at saturation", "ms", (b1.CpuMs - b0.CpuMs) / Math.Max(1, baseSat.Ok));
        // Everything the app allocated meanwhile (the projector applying the backlog too): what each webhook costs the GC, at most.
        _results.Add(s, "app allocated bytes per webhook at saturation", "bytes", (a1.AllocatedBytes - a0.AllocatedBytes) / (double)Math.Max(1, appSat.Ok));
        _results.Add(s, "baseline allocated bytes per request at saturation", "bytes", (b1.AllocatedBytes - b0.AllocatedBytes) / (double)Math.Max(1, baseSat.Ok));
        _results.Details[$"ingest timers (saturation, run {run})"] = a1.Timers();
        _results.Curves["baseline sat."] = baseSat.Latency;
        if (_mode.DrainBetweenIngestPhases && run < _mode.Runs) await DrainAsync(a1.Meter("echain.events.queued"), TimeSpan.FromMinutes(10));
    }
}
