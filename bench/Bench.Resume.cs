using System.Diagnostics;
using System.Text.Json;

namespace Echain.Bench;

public sealed partial class Bench
{
    private const int FirstResumeEvent = 300_001, ResumeEvents = 10;

    // ---------------------------------------------------------------- 7. resume after an outage
    /// <summary>
    /// Clients on instance A, purchases ingested and projected by instance B (shared PostgreSQL and Redis, the SignalR
    /// Redis backplane, their own queue stream), A killed for the outage and started again on its port. Every client
    /// must end with exactly the seqs its group got after its baseline — live or resumed — with no full refetch.
    /// The baseline is the page before continuity: one full refetch per client per reconnect.
    /// </summary>
    private async Task ResumeAsync()
    {
        const string s = "7. Resume after an outage";
        (string, string)[] options = [("pg", _services.Postgres()), ("redis", _services.Redis), ("stream", "echain:resume-events"), ("backplane", "true")];
        var a = await Child.StartAsync("resume-a", "app", _logs, options);
        await using var b = await Child.StartAsync("resume-b", "app", _logs, options);
        var sender = Sender(b);
        var start = DateTimeOffset.UtcNow.AddDays(30);
        for (var e = FirstResumeEvent; e < FirstResumeEvent + ResumeEvents; e++)
            if (!await SendAsync(sender, _synthetic.CreateEvent(e, _organizer, $"Resume event {e}", "resume", start, start.AddHours(3), 100_000, 25_000_000)[0]))
                Broken("resume: an EventCreated webhook was refused");

        var clients = new List<ResumingClient>();
        try
        {
            for (var i = 0; i < _mode.ResumeClients; i += 50)
            {
                var batch = Enumerable.Range(i, Math.Min(50, _mode.ResumeClients - i))
                    .Select(n => new ResumingClient(_http, a.BaseAddress, FirstResumeEvent + n % ResumeEvents)).ToList();
                await Task.WhenAll(batch.Select(c => c.StartAsync()));
                clients.AddRange(batch);
            }

            // Purchases at a steady rate before, during and after the outage.
            using var stop = new CancellationTokenSource();
            var sent = 0;
            var producer = Task.Run(async () =>
            {
                var clock = Stopwatch.StartNew();
                for (var i = 0; !stop.IsCancellationRequested; i++)
                {
                    var wait = TimeSpan.FromSeconds(i / 50.0) - clock.Elapsed;
                    if (wait > TimeSpan.Zero) await Task.Delay(wait);
                    if (await SendAsync(sender, Purchase(FirstResumeEvent + i % ResumeEvents, Interlocked.Increment(ref _nextToken)))) sent++;
                    else Broken("resume: a purchase webhook was refused");
                }
            });
            await Task.Delay(TimeSpan.FromSeconds(3));
            var port = a.BaseAddress.Port;
            Log($"resume: killing instance A for {_mode.ResumeOutage.TotalSeconds:F0} s under {clients.Count} clients");
            await a.DisposeAsync();
            await Task.Delay(_mode.ResumeOutage);
            var restart = Stopwatch.StartNew();
            a = await Child.StartAsync("resume-a-restarted", "app", _logs, port, options);
            var healthy = restart.Elapsed;
            // Every client reconnects (its retries are at most 4 s apart) and catches up; then the producer stops.
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(60) && clients.Any(c => c.Reconnects == 0 || c.CatchUp is null))
                await Task.Delay(200);
            stop.Cancel();
            await producer;
            // The last live messages, then a final resume so a late gap is not counted as missed.
            await Task.Delay(TimeSpan.FromSeconds(2));
            await Task.WhenAll(clients.Select(c => c.ResumeAsync()));

            var latest = new Dictionary<string, long>();
            foreach (var stream in clients.Select(c => c.Stream).Distinct())
            {
                var answer = await _http.GetFromJsonAsync<JsonElement>(a.Url($"api/realtime/groups/{stream["event-".Length..]}/messages"));
                latest[stream] = answer.GetProperty("latest").GetInt64();
            }
            long missed = 0, extra = 0;
            foreach (var c in clients)
            {
                var applied = c.Applied.ToHashSet();
                for (var seq = c.Baseline + 1; seq <= latest[c.Stream]; seq++) if (!applied.Contains(seq)) missed++;
                extra += applied.Count(seq => seq <= c.Baseline || seq > latest[c.Stream]);
            }
            var notReconnected = clients.Count(c => c.Reconnects == 0);
            var catchUps = clients.Where(c => c.CatchUp is not null).Select(c => c.CatchUp!.Value.TotalMilliseconds).ToList();
            var refetches = clients.Sum(c => c.Refetches);
            if (missed > 0) Broken($"resume: {missed} messages missed by clients after the outage");
            if (notReconnected > 0) Broken($"resume: {notReconnected} clients never reconnected");

            _results.Add(s, $"{clients.Count} clients, {_mode.ResumeOutage.TotalSeconds:F0} s outage: full refetches", "refetches", refetches,
                "goal: none", BenchResults.AtMost(0));
            _results.Add(s, "full refetches / the page before continuity (one per client per reconnect)", "ratio",
                refetches / (double)clients.Sum(c => Math.Max(1, c.Reconnects)));
            _results.Add(s, "messages missed", "messages", missed, "none", BenchResults.AtMost(0));
            _results.Add(s, "messages applied twice or outside the stream", "messages", extra, "none", BenchResults.AtMost(0));
            _results.Add(s, "messages recovered from the resume endpoint", "messages", clients.Sum(c => c.Resumed));
            _results.Add(s, "duplicates dropped by seq", "messages", clients.Sum(c => c.DuplicatesDropped));
            _results.Add(s, "reconnect → caught up, p50", "ms", Median.Of(catchUps));
            _results.Add(s, "reconnect → caught up, max", "ms", catchUps.DefaultIfEmpty(double.NaN).Max());
            _results.Details["resume"] = new
            {
                clients = clients.Count, outageSeconds = _mode.ResumeOutage.TotalSeconds, purchasesSent = sent,
                restartToHealthySeconds = healthy.TotalSeconds, resumeCalls = clients.Sum(c => c.ResumeCalls),
                reconnects = clients.Sum(c => c.Reconnects), notReconnected,
            };
        }
        finally
        {
            await Task.WhenAll(clients.Select(c => c.DisposeAsync().AsTask()));
            await a.DisposeAsync();
        }
    }
}
