using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Echain.Demo.Chain;
using Microsoft.AspNetCore.SignalR.Client;

namespace Echain.Bench;

public sealed partial class Bench
{
    // ---------------------------------------------------------------- 2. end to end
    private async Task EndToEndAsync(int run)
    {
        const string s = "2. Webhook → SignalR client";
        var sender = Sender(_app);
        var sentAt = new ConcurrentDictionary<string, long>();
        var latency = new Latency();
        var clock = Stopwatch.StartNew();
        long received = 0;
        await using var client = await ConnectAsync(E2eEvent);
        client.On<JsonElement>("ticket-purchased", payload =>
        {
            var now = clock.ElapsedTicks;
            if (sentAt.TryRemove(payload.GetProperty("ticketId").GetString() ?? "", out var intended))
            {
                latency.Record(TimeSpan.FromSeconds((now - intended) / (double)Stopwatch.Frequency));
                Interlocked.Increment(ref received);
            }
        });

        foreach (var rate in _mode.EndToEndRates)
        {
            latency = new Latency();
            Interlocked.Exchange(ref received, 0);
            sentAt.Clear();
            var phaseStart = clock.ElapsedTicks;
            var ticksPer = Stopwatch.Frequency / rate;
            await _app.ResetTimersAsync();
            var cpu = CpuShares.Take(_app.Pid);
            var result = await LoadGen.OpenLoopAsync(rate, _mode.Phase, i =>
            {
                var token = Interlocked.Increment(ref _nextToken);
                sentAt[token.ToString()] = phaseStart + (long)(i * ticksPer); // the intended send time
                return SendAsync(sender, Purchase(E2eEvent, token));
            });
            if (rate >= 500) AddCpuShares(s, $"the {rate:N0} events/s phase", cpu);
            var wait = Stopwatch.StartNew();
            while (Interlocked.Read(ref received) < result.Ok && wait.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(50);
            if (Interlocked.Read(ref received) < result.Ok)
                Broken($"end to end at {rate}/s: {result.Ok - received} of {result.Ok} accepted purchases never reached the client");
            // Per lane batch at this rate: how many logs each commit carries, and how long the handler holds them.
            if (rate >= 500) _results.Details[$"projector timers ({rate:N0} events/s, run {run})"] = (await _app.CountersAsync()).Timers();
            _results.Add(s, $"p50 at {rate:N0} events/s", "ms", latency.Ms(50));
            _results.Add(s, $"p95 at {rate:N0} events/s", "ms", latency.Ms(95));
            _results.Add(s, $"p99 at {rate:N0} events/s", "ms", latency.Ms(99),
                rate >= 500 ? "≤ 100 ms (original design: realtime < 100 ms)" : "original design: < 100 ms", BenchResults.AtMost(100));
            _results.Curves[$"e2e {rate:N0}/s"] = latency;
        }

        // Projector saturation: a backlog as fast as ingest can take it, then the rate at which it is applied.
        await _app.ResetTimersAsync();
        var c0 = await _app.CountersAsync();
        var samples = new List<(double T, long Processed)>();
        var burstClock = Stopwatch.StartNew();
        var burst = await LoadGen.ClosedLoopAsync(_mode.Workers, TimeSpan.FromMinutes(2), _ =>
            SendAsync(sender, Purchase(E2eEvent, Interlocked.Increment(ref _nextToken))), _mode.ProjectorBurst);
        var ingestDone = burstClock.Elapsed.TotalSeconds;
        var c1 = await _app.CountersAsync();
        var target = c1.Meter("echain.events.queued");
        var t1 = burstClock.Elapsed.TotalSeconds;
        samples.Add((t1, c1.Meter("echain.events.processed")));
        // Where the projector's time goes while it applies the backlog alone (no webhook arrives meanwhile).
        var pgCpu1 = CommandCpu.Ms("postgres");
        var profile = _mode.Profile && run == 1 ? Profiler.StartAsync(_app.Pid, TimeSpan.FromSeconds(3), _logs) : null;
        while (samples[^1].Processed < target && burstClock.Elapsed < TimeSpan.FromMinutes(5))
        {
            await Task.Delay(100);
            samples.Add((burstClock.Elapsed.TotalSeconds, (await _app.CountersAsync()).Meter("echain.events.processed")));
        }
        var c2 = await _app.CountersAsync();
        var pgCpu2 = CommandCpu.Ms("postgres");
        if (profile is not null) _results.Details["perf: app while the projector applies its backlog"] = await profile;
        var applied = samples[^1].Processed - samples[0].Processed;
        var seconds = samples[^1].T - samples[0].T;
        var rateAfter = seconds >= 0.5 ? applied / seconds : double.NaN;
        var overall = (c2.Meter("echain.events.processed") - c0.Meter("echain.events.processed")) / burstClock.Elapsed.TotalSeconds;
        _results.Add(s, "projector: events applied/s at saturation (backlog, ingest finished)", "events/s",
            double.IsNaN(rateAfter) ? overall : rateAfter, "≥ 3,000/s to keep up with ingest target", BenchResults.AtLeast(3000),
            double.IsNaN(rateAfter) ? "backlog drained before ingest ended: overall rate" : null);
        _results.Add(s, "projector: burst ingest + apply overall", "events/s", overall);
        if (applied > 0)
        {
            _results.Add(s, "projector: app CPU per applied event (backlog, ingest finished)", "ms", (c2.CpuMs - c1.CpuMs) / applied);
            _results.Add(s, "projector: PostgreSQL CPU per applied event (backlog, ingest finished)", "ms", (pgCpu2 - pgCpu1) / applied);
        }
        _results.Details[$"projector burst (run {run})"] = new { burst = _mode.ProjectorBurst, burst.Ok, ingestSeconds = ingestDone, drainedSeconds = burstClock.Elapsed.TotalSeconds, cpuMs = c2.CpuMs - c0.CpuMs };
        _results.Details[$"projector timers (burst, run {run})"] = c2.Timers();
        if (c2.Meter("echain.events.processed") < target) Broken("projector backlog did not drain within 5 minutes");
    }

    /// <summary>Where the cores went during a phase that has a goal: the measured side of a miss's cause.</summary>
    private void AddCpuShares(string section, string phase, CpuShares before)
    {
        foreach (var (part, percent) in CpuShares.Take(_app.Pid).Since(before))
            _results.Add(section, $"CPU during {phase}: {part}", $"% of {Environment.ProcessorCount} cores", percent);
    }

    private CdpActivity Purchase(int eventId, long token) =>
        _synthetic.BuyTicket(eventId, token, _wallets[token % _wallets.Length], _organizer, 25_000_000, "general")[2];
}
