using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.SignalR.Client;

namespace Echain.Bench;

public sealed partial class Bench
{
    private const string FanoutSection = "4. Fan-out";
    // How Echain's clients join and which protocol they speak (bench/README.md): BENCH_FANOUT_JOIN=negotiate names the
    // event at negotiate (no HTTP join), BENCH_FANOUT_PROTOCOL=messagepack; the defaults are what the frontend does on the
    // standalone host (BENCH_FANOUT_JOIN=http: the Functions host's way, negotiate then an HTTP join).
    private static readonly string FanoutJoin = Environment.GetEnvironmentVariable("BENCH_FANOUT_JOIN") ?? "negotiate";
    private static readonly string FanoutProtocol = Environment.GetEnvironmentVariable("BENCH_FANOUT_PROTOCOL") ?? "json";

    // ---------------------------------------------------------------- 4. fan-out
    // Echain's full pipeline (signed webhook → queue → PostgreSQL → SignalR) against a bare Socket.IO 4.8 broadcast,
    // both received by the same Node.js harness and sent by the same open-loop generator (bench/README.md: why it is fair).
    private async Task FanoutAsync()
    {
        await using (var peer = await SocketIoPeer.StartAsync(_logs))
        {
            var largest = _mode.FanoutSizes.Max();
            foreach (var size in _mode.FanoutSizes)
            {
                await FanoutTargetAsync(size, peer, socketIo: false, size == largest);
                await FanoutTargetAsync(size, peer, socketIo: true, size == largest);
            }
        }
        await SeedBroadcastsAsync();
    }

    private static string FanoutTarget(bool socketIo) => socketIo ? "Socket.IO 4.8 bare broadcast" : "Echain full pipeline";

    /// <summary>One size on one target: a fresh harness connects and joins, then each run is one fixed-rate phase.</summary>
    private async Task FanoutTargetAsync(int size, SocketIoPeer peer, bool socketIo, bool largest)
    {
        const string s = FanoutSection;
        var target = FanoutTarget(socketIo);
        // Earlier scenarios' writes still in the queue would sit under Echain's latency: measure from an empty queue.
        if (!socketIo) await DrainAsync((await _app.CountersAsync()).Meter("echain.events.queued"), TimeSpan.FromSeconds(120));
        var before = socketIo ? null : await _app.CountersAsync(fullGc: true);
        await using var harness = await FanoutHarness.StartAsync($"fanout-{(socketIo ? "socketio" : "echain")}-{size}", _logs, socketIo,
            socketIo ? peer.BaseAddress : _app.BaseAddress, FanoutEvent, FanoutJoin, FanoutProtocol);
        double ServerCpuMs() => socketIo ? peer.CpuTime.TotalMilliseconds : CommandCpu.ProcessMs(_app.Pid);
        var (serverCpu0, harnessCpu0) = (ServerCpuMs(), harness.CpuTime);
        var connected = await harness.ConnectAsync(size);
        var (serverCpu1, harnessCpu1) = (ServerCpuMs(), harness.CpuTime);
        if (connected.Failed > 0) Broken($"fan-out, {target}: {connected.Failed} of {size} connections failed (first: {connected.FirstError})");
        _results.Add(s, $"{size:N0} connections: connected and joined, {target}", "connections", connected.Connected,
            size >= 5000 ? "5,000 on one instance" : "original design: 1,000", BenchResults.AtLeast(size));
        _results.Add(s, $"{size:N0} connections: time to connect and join all, {target}", "s", connected.Seconds);
        if (connected.Connected > 0)
        {
            // Connecting is CPU on both sides of the same two cores: where the connect time goes.
            _results.Add(s, $"{size:N0} connections: server CPU per connect and join, {target}", "ms", (serverCpu1 - serverCpu0) / connected.Connected);
            _results.Add(s, $"{size:N0} connections: harness CPU per connect and join, {target}", "ms",
                (harnessCpu1 - harnessCpu0).TotalMilliseconds / connected.Connected);
        }
        // Per 1,000 at the largest size: the crowd the goal is about, not the first few fast connections.
        if (largest) _results.Add(Goals.ConnectJoinPerThousand(socketIo).Section, Goals.ConnectJoinPerThousand(socketIo).Name, "s",
            connected.Seconds * 1000 / size);
        if (before is not null)
        {
            var after = await _app.CountersAsync(fullGc: true);
            _results.Add(s, $"{size:N0} connections: app RSS", "MB", after.RssMb);
            _results.Add(s, $"{size:N0} connections: app managed heap", "MB", after.ManagedHeapMb, note: "after a full GC");
            _results.Add(s, $"{size:N0} connections: app RSS per connection", "KB", (after.RssMb - before.RssMb) * 1024 / size,
                note: "(RSS with the clients connected − RSS before) / connections");
        }
        if (connected.Connected == 0) return;

        var deliveries = _mode.FanoutDeliveriesPerSecond;
        // Fixed rate: messages/s chosen so that deliveries/s (messages × connections) is the configured figure.
        var rate = Math.Max(1.0, deliveries / (double)connected.Connected);
        var p99 = deliveries == 20_000 ? Goals.FanoutP99(size, socketIo) : new FigureRef(s, $"{size:N0} connections: p99 at {deliveries:N0} deliveries/s, {target}");
        for (var run = 1; run <= _mode.Runs; run++)
        {
            await harness.StartPhaseAsync();
            var appCpu0 = (await _app.CountersAsync()).CpuMs;
            var peerCpu0 = peer.CpuTime;
            var send = socketIo ? EmitSender(peer, rate) : PurchaseSender(rate);
            var sent = await LoadGen.OpenLoopAsync(rate, _mode.Phase, send);
            if (sent.Errors + sent.Dropped > 0)
                Broken($"fan-out {size}, {target}: {sent.Errors} sends failed, {sent.Dropped} dropped ({sent.FirstError})");
            var phase = await harness.EndPhaseAsync(sent.Ok);
            var appCpuMs = (await _app.CountersAsync()).CpuMs - appCpu0;
            var peerCpuMs = (peer.CpuTime - peerCpu0).TotalMilliseconds;

            var lost = phase.Expected - phase.Received;
            if (lost > 0 || phase.Malformed > 0)
            {
                var message = $"fan-out {size}, {target}: {lost} of {phase.Expected} deliveries missing ({phase.ClientsShort} clients short, " +
                              $"{phase.ClientsClosed} closed, {phase.Malformed} without a send time)";
                if (lost > phase.Expected / 100 || phase.Malformed > 0) Broken(message);
                else _results.Findings.Add(message);
            }
            var got = Math.Max(1, phase.Received);
            _results.Add(s, $"{size:N0} connections: received / expected, {target}", "%", 100.0 * phase.Received / Math.Max(1, phase.Expected));
            _results.Add(p99.Section, p99.Name, "ms", phase.Latency.Ms(99));
            _results.Add(s, $"{size:N0} connections: p50 at {deliveries:N0} deliveries/s, {target}", "ms", phase.Latency.Ms(50));
            // Where the time goes: server, peer and harness share the same two cores.
            _results.Add(s, $"{size:N0} connections: server CPU per delivery, {target}", "µs", (socketIo ? peerCpuMs : appCpuMs) * 1000 / got,
                note: socketIo ? "the Socket.IO server process" : "the app process: ingest, queue, projector and SignalR");
            _results.Add(s, $"{size:N0} connections: harness (all clients) CPU per delivery, {target}", "µs", phase.CpuMs * 1000 / got);
            if (socketIo) _results.Add(s, $"{size:N0} connections: app CPU while Socket.IO is measured (idle app)", "ms", appCpuMs);
            _results.Curves[$"fan-out {size:N0}, {(socketIo ? "Socket.IO" : "Echain")}"] = phase.Latency;
        }
    }

    /// <summary>The wall-clock µs at which message i is due; the harness subtracts it from the receipt time.</summary>
    private static Func<long, long> IntendedMicros(double rate)
    {
        var startMicros = (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / 10;
        var microsPer = 1_000_000 / rate;
        return i => startMicros + (long)(i * microsPer);
    }

    /// <summary>The ticketId a message carries: its intended send time (µs) × 1000 + a counter, so it is unique too.</summary>
    private static long FanoutTicketId(long intendedMicros, long i) => intendedMicros * 1000 + i % 1000;

    /// <summary>Echain: a signed TicketPurchased webhook per message; its ticket-purchased group message reaches every client.</summary>
    private Func<long, Task<bool>> PurchaseSender(double rate)
    {
        var sender = Sender(_app);
        var intended = IntendedMicros(rate);
        return i => SendAsync(sender, Purchase(FanoutEvent, FanoutTicketId(intended(i), i)));
    }

    /// <summary>Socket.IO: POST /emit of a payload shaped like Echain's ticket-purchased group message (stream and seq included).</summary>
    private Func<long, Task<bool>> EmitSender(SocketIoPeer peer, double rate)
    {
        var intended = IntendedMicros(rate);
        var emit = new Uri(peer.BaseAddress, "emit");
        var room = $"event-{FanoutEvent}";
        return async i =>
        {
            var ticketId = FanoutTicketId(intended(i), i).ToString();
            var data = new { ticketId, buyer = _wallets[i % _wallets.Length], eventId = FanoutEvent.ToString(), stream = room, seq = i + 1 };
            using var response = await _http.PostAsJsonAsync(emit, new { room, @event = "ticket-purchased", data });
            return response.StatusCode == HttpStatusCode.NoContent;
        };
    }

    // The original design's claim: 10,000 broadcasts complete within 5 s (here: to a group of SeedClients connections,
    // complete = every connection received every message), sent by the hub itself (/bench/broadcast).
    private async Task SeedBroadcastsAsync()
    {
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
                _results.Add(FanoutSection, $"{_mode.SeedBroadcasts:N0} broadcasts to {seedClients.Count} clients, all delivered", "s",
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
