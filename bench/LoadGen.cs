using System.Diagnostics;
using System.Net;

namespace Echain.Bench;

/// <summary>What one load phase measured.</summary>
public sealed record LoadResult(long Sent, long Ok, long Errors, long Dropped, TimeSpan Elapsed, Latency Latency)
{
    public double Throughput => Ok / Elapsed.TotalSeconds;
    public string? FirstError { get; init; }
}

/// <summary>
/// Load generators. Open loop: request i is due at start + i/rate whatever happened before, and its
/// latency is measured from that intended time (so a stalled server shows up as queueing, not as a
/// quieter generator: no coordinated omission). Closed loop: N workers back to back, for saturation.
/// Both are bounded by count and by time.
/// </summary>
public static class LoadGen
{
    public static HttpClient CreateClient(int maxConnections = 1024) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = maxConnections,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
    })
    { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>
    /// Fires <paramref name="send"/>(i) at <paramref name="rate"/>/s for <paramref name="duration"/>.
    /// send returns true for a good answer. At most <paramref name="maxInFlight"/> requests are
    /// outstanding: beyond that a due request is counted as dropped (and the run says so).
    /// </summary>
    public static async Task<LoadResult> OpenLoopAsync(double rate, TimeSpan duration, Func<long, Task<bool>> send,
        int maxInFlight = 20_000, Latency? latency = null)
    {
        latency ??= new Latency();
        var total = (long)Math.Max(1, Math.Round(rate * duration.TotalSeconds));
        var outcomes = new Outcomes();
        long dropped = 0, inFlight = 0;
        var pending = new List<Task>((int)Math.Min(total, 1_000_000));
        var clock = Stopwatch.StartNew();
        var ticksPerRequest = Stopwatch.Frequency / rate;
        long next = 0;
        while (next < total)
        {
            var now = clock.ElapsedTicks;
            // Fire everything that is due now (several per wake-up at high rates).
            while (next < total && next * ticksPerRequest <= now)
            {
                var i = next++;
                var intended = (long)(i * ticksPerRequest);
                if (Interlocked.Read(ref inFlight) >= maxInFlight) { dropped++; continue; }
                Interlocked.Increment(ref inFlight);
                pending.Add(Task.Run(async () =>
                {
                    try
                    {
                        await outcomes.SendAsync(send, i);
                    }
                    finally
                    {
                        latency.Record(TimeSpan.FromSeconds((clock.ElapsedTicks - intended) / (double)Stopwatch.Frequency));
                        Interlocked.Decrement(ref inFlight);
                    }
                }));
            }
            if (next >= total) break;
            var waitTicks = (long)(next * ticksPerRequest) - clock.ElapsedTicks;
            if (waitTicks > Stopwatch.Frequency / 1000) await Task.Delay(TimeSpan.FromSeconds(waitTicks / (double)Stopwatch.Frequency));
            else await Task.Yield();
            if (clock.Elapsed > duration + TimeSpan.FromSeconds(30)) break; // hard bound
        }
        await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(60)).ContinueWith(_ => { });
        return new LoadResult(next, outcomes.Ok, outcomes.Errors, dropped, clock.Elapsed, latency) { FirstError = outcomes.FirstError };
    }

    /// <summary>Closed loop: <paramref name="workers"/> senders back to back until the duration or count is reached.</summary>
    public static async Task<LoadResult> ClosedLoopAsync(int workers, TimeSpan duration, Func<long, Task<bool>> send, long maxRequests = 10_000_000)
    {
        var latency = new Latency();
        var outcomes = new Outcomes();
        long counter = -1;
        var clock = Stopwatch.StartNew();
        var tasks = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                var i = Interlocked.Increment(ref counter);
                if (i >= maxRequests) break;
                var started = clock.ElapsedTicks;
                await outcomes.SendAsync(send, i);
                latency.Record(TimeSpan.FromSeconds((clock.ElapsedTicks - started) / (double)Stopwatch.Frequency));
            }
        })).ToArray();
        await Task.WhenAll(tasks);
        var sent = Math.Min(Interlocked.Read(ref counter) + 1, maxRequests);
        return new LoadResult(sent, outcomes.Ok, outcomes.Errors, 0, clock.Elapsed, latency) { FirstError = outcomes.FirstError };
    }

    public static bool IsStatus(HttpResponseMessage response, HttpStatusCode code) => response.StatusCode == code;

    /// <summary>Good and failed answers of one phase, counted from many senders at once; the first error is kept for the report.</summary>
    private sealed class Outcomes
    {
        private long _ok, _errors;
        private string? _firstError;

        public long Ok => Interlocked.Read(ref _ok);
        public long Errors => Interlocked.Read(ref _errors);
        public string? FirstError => Volatile.Read(ref _firstError);

        public async Task SendAsync(Func<long, Task<bool>> send, long i)
        {
            try
            {
                if (await send(i)) Interlocked.Increment(ref _ok);
                else Interlocked.Increment(ref _errors);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or InvalidOperationException)
            {
                // A failed request is a measured error, not a failed run: counted, and the first one reported.
                Interlocked.Increment(ref _errors);
                Interlocked.CompareExchange(ref _firstError, e.GetType().Name + ": " + e.Message, null);
            }
        }
    }
}
