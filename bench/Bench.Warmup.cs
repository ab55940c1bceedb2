using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.SignalR.Client;

namespace Echain.Bench;

public sealed partial class Bench
{
    /// <summary>
    /// The app is a fresh process: for its first seconds it runs tier-0 code and the JIT compiles (perf on a cold quick run: 12 % of
    /// the app's CPU in libclrjit during the first end-to-end phase, most frames "QuickJitted"). A server runs for days, so it is measured
    /// warm: every path the scenarios drive (signed webhooks through the projector to a SignalR client, cached REST and GraphQL reads,
    /// negotiate and connect) runs for <see cref="Mode.Warmup"/> (BENCH_WARMUP_SECONDS overrides it), the backlog drains, and a pause lets the JIT's background tier-up finish.
    /// The baseline child's endpoints get the same treatment, so both sides of every ratio are warm.
    /// </summary>
    private async Task WarmUpAsync(Child baseline)
    {
        var seconds = Environment.GetEnvironmentVariable("BENCH_WARMUP_SECONDS");
        var warmup = seconds is null ? _mode.Warmup : TimeSpan.FromSeconds(double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture));
        var sender = Sender(_app);
        var empty = Sender(baseline, "empty");
        var before = await _app.CountersAsync();
        long received = 0;
        await using var client = await ConnectAsync(WarmupEvent);
        client.On<System.Text.Json.JsonElement>("ticket-purchased", _ => Interlocked.Increment(ref received));
        var purchases = 0L;
        var clock = Stopwatch.StartNew();
        var result = await LoadGen.ClosedLoopAsync(16, warmup, async i =>
        {
            switch (i % 8)
            {
                case 0 or 1 or 2:
                    Interlocked.Increment(ref purchases);
                    return await SendAsync(sender, Purchase(WarmupEvent, Interlocked.Increment(ref _nextToken)));
                case 3 or 4:
                    using (var read = await _http.GetAsync(_app.Url($"api/events/{FirstReadEvent + i % _mode.ReadEvents}")))
                        return read.StatusCode == HttpStatusCode.OK;
                case 5:
                    return await PostGraphQLAsync(_app, FirstReadEvent + i % _mode.ReadEvents);
                case 6:
                    return await SendAsync(empty, Purchase(WarmupEvent, 0));
                default:
                    if (i % 64 != 7) return true;
                    await using (await ConnectAsync(WarmupEvent)) return true;
            }
        });
        if (result.Errors > 0) Broken($"warm-up: {result.Errors} of {result.Sent} requests failed ({result.FirstError})");
        await DrainAsync(before.Meter("echain.events.processed") + Interlocked.Read(ref purchases), TimeSpan.FromSeconds(120));
        while (Interlocked.Read(ref received) < Interlocked.Read(ref purchases) && clock.Elapsed < warmup + TimeSpan.FromSeconds(60))
            await Task.Delay(50);
        _results.Details["warm-up"] = new
        {
            seconds = Math.Round(clock.Elapsed.TotalSeconds, 1), requests = result.Sent, purchases = Interlocked.Read(ref purchases),
            delivered = Interlocked.Read(ref received),
        };
        await Task.Delay(TimeSpan.FromSeconds(2)); // the JIT's tier-up waits for a quiet moment
    }
}
