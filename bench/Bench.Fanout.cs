using System.Diagnostics;
using Microsoft.AspNetCore.SignalR.Client;

namespace Echain.Bench;

public sealed partial class Bench
{
    // ---------------------------------------------------------------- 4. fan-out
    private async Task FanoutAsync()
    {
        const string s = "4. Fan-out";
        var clock = Stopwatch.StartNew();
        var connections = new List<HubConnection>();
        var latency = new Latency();
        long received = 0, lastReceipt = 0;
        void Handle(int seq, long sentTicks)
        {
            latency.Record(TimeSpan.FromTicks(Math.Max(1, DateTime.UtcNow.Ticks - sentTicks)));
            Interlocked.Increment(ref received);
            Interlocked.Exchange(ref lastReceipt, Stopwatch.GetTimestamp());
        }
        // Waits for the expected deliveries, giving up after 5 s without progress (bounded).
        async Task<long> AwaitDeliveriesAsync(long expected, TimeSpan limit)
        {
            var clock = Stopwatch.StartNew();
            var seen = -1L;
            var progress = Stopwatch.StartNew();
            while (clock.Elapsed < limit)
            {
                var got = Interlocked.Read(ref received);
                if (got >= expected) return got;
                if (got != seen) { seen = got; progress.Restart(); }
                else if (progress.Elapsed > TimeSpan.FromSeconds(5)) break;
                await Task.Delay(5);
            }
            return Interlocked.Read(ref received);
        }
        void CheckDeliveries(string what, long got, long expected)
        {
            if (got >= expected) return;
            var notConnected = connections.Count(c => c.State != HubConnectionState.Connected);
            var message = $"{what}: {expected - got} of {expected} deliveries missing ({notConnected} client connections not in Connected state)";
            if (expected - got > expected / 100) Broken(message);
            else _results.Findings.Add(message);
        }
        try
        {
            foreach (var size in _mode.FanoutSizes)
            {
                var connectClock = Stopwatch.StartNew();
                var failures = 0;
                var missing = size - connections.Count;
                using var gate = new SemaphoreSlim(32);
                var added = await Task.WhenAll(Enumerable.Range(0, missing).Select(async _ =>
                {
                    await gate.WaitAsync();
                    try
                    {
                        var c = await ConnectAsync(FanoutEvent);
                        c.On<int, long>("bench", Handle);
                        return c;
                    }
                    catch (Exception e) when (e is HttpRequestException or InvalidOperationException or TimeoutException or IOException or System.Net.WebSockets.WebSocketException)
                    {
                        Interlocked.Increment(ref failures);
                        return null;
                    }
                    finally { gate.Release(); }
                }));
                connections.AddRange(added.OfType<HubConnection>());
                if (failures > 0) Broken($"fan-out: {failures} of {missing} connections failed");
                _results.Add(s, $"{size:N0} connections: connected (negotiate + WebSocket + join)", "connections", connections.Count,
                    size >= 5000 ? "5,000 on one instance" : "original design: 1,000", BenchResults.AtLeast(size));
                _results.Add(s, $"{size:N0} connections: time to connect all", "s", connectClock.Elapsed.TotalSeconds);

                for (var run = 1; run <= _mode.Runs; run++)
                {
                    // Fixed rate: broadcasts/s chosen so that deliveries/s is the configured figure.
                    var rate = Math.Max(1.0, _mode.FanoutDeliveriesPerSecond / (double)connections.Count);
                    var count = (int)Math.Max(1, rate * _mode.Phase.TotalSeconds);
                    latency = new Latency();
                    Interlocked.Exchange(ref received, 0);
                    var expected = (long)count * connections.Count;
                    var phase = Stopwatch.StartNew();
                    var app0 = await _app!.CountersAsync();
                    var client0 = Process.GetCurrentProcess().TotalProcessorTime;
                    await BroadcastAsync(FanoutEvent, count, rate);
                    var got = await AwaitDeliveriesAsync(expected, TimeSpan.FromSeconds(60));
                    // Where the time goes: the server's sends and the clients' receives share the same two cores.
                    var appCpuMs = (await _app.CountersAsync()).CpuMs - app0.CpuMs;
                    var clientCpuMs = (Process.GetCurrentProcess().TotalProcessorTime - client0).TotalMilliseconds;
                    var seconds = phase.Elapsed.TotalSeconds;
                    _results.Add(s, $"{size:N0} connections: app (server) CPU per delivery", "µs", appCpuMs * 1000 / Math.Max(1, got));
                    _results.Add(s, $"{size:N0} connections: load generator (all clients) CPU per delivery", "µs", clientCpuMs * 1000 / Math.Max(1, got));
                    _results.Add(s, $"{size:N0} connections: app + clients busy during the phase", "% of 2 cores", (appCpuMs + clientCpuMs) / 10 / seconds / 2);
                    CheckDeliveries($"fan-out {size} at a fixed rate", got, expected);
                    _results.Add(s, $"{size:N0} connections: p99 delivery at {rate * connections.Count:N0} deliveries/s", "ms", latency.Ms(99),
                        "≤ 100 ms (realtime latency)", BenchResults.AtMost(100));
                    _results.Add(s, $"{size:N0} connections: p50 delivery at {rate * connections.Count:N0} deliveries/s", "ms", latency.Ms(50));
                    _results.Curves[$"fan-out {size:N0}"] = latency;

                    // Saturation: broadcasts back to back; delivered/s from the first send to the last receipt.
                    count = Math.Max(1, _mode.FanoutBurstDeliveries / connections.Count);
                    expected = (long)count * connections.Count;
                    latency = new Latency();
                    Interlocked.Exchange(ref received, 0);
                    var burstStart = Stopwatch.GetTimestamp();
                    await BroadcastAsync(FanoutEvent, count, 0);
                    got = await AwaitDeliveriesAsync(expected, TimeSpan.FromSeconds(120));
                    CheckDeliveries($"fan-out {size} burst", got, expected);
                    var burstSeconds = (Interlocked.Read(ref lastReceipt) - burstStart) / (double)Stopwatch.Frequency;
                    _results.Add(s, $"{size:N0} connections: delivered messages/s at saturation", "msg/s", got / burstSeconds);
                    _results.Add(s, $"{size:N0} connections: p99 delivery at saturation", "ms", latency.Ms(99));
                }
            }
        }
        finally
        {
            await Task.WhenAll(connections.Select(c => c.DisposeAsync().AsTask()));
            connections.Clear();
        }

        // The original design's claim: 10,000 broadcasts complete within 5 s (here: to a group of SeedClients connections,
        // complete = every connection received every message).
        var seedClients = new List<HubConnection>();
        long seedReceived = 0;
        try
        {
            for (var i = 0; i < _mode.SeedClients; i++)
            {
                var c = await ConnectAsync(SeedEvent);
                c.On<int, long>("bench", (_, _) => Interlocked.Increment(ref seedReceived));
                seedClients.Add(c);
            }
            for (var run = 1; run <= _mode.Runs; run++)
            {
                Interlocked.Exchange(ref seedReceived, 0);
                var expected = (long)_mode.SeedBroadcasts * seedClients.Count;
                var timer = Stopwatch.StartNew();
                await BroadcastAsync(SeedEvent, _mode.SeedBroadcasts, 0);
                while (Interlocked.Read(ref seedReceived) < expected && timer.Elapsed < TimeSpan.FromSeconds(60)) await Task.Delay(5);
                if (Interlocked.Read(ref seedReceived) < expected) Broken($"seed broadcast test: {expected - seedReceived} deliveries missing");
                _results.Add(s, $"{_mode.SeedBroadcasts:N0} broadcasts to {seedClients.Count} clients, all delivered", "s",
                    timer.Elapsed.TotalSeconds, "< 5 s (original design)", BenchResults.AtMost(5));
            }
        }
        finally
        {
            await Task.WhenAll(seedClients.Select(c => c.DisposeAsync().AsTask()));
        }
    }

    private async Task BroadcastAsync(int eventId, int count, double rate)
    {
        using var response = await _http.PostAsync(_app.Url($"bench/broadcast?group=event-{eventId}&count={count}&rate={rate}"), null);
        response.EnsureSuccessStatusCode();
    }
}
