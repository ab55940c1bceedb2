using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime;
using Echain.Core;
using Echain.Core.Chain;
using Echain.Core.Processing;
using Echain.Core.Queue;
using Echain.Core.Reads;
using Echain.Core.Realtime;
using Echain.Functions;
using Echain.Functions.Standalone.Queue;
using Echain.Functions.Standalone.Realtime;
using Microsoft.AspNetCore.SignalR;

namespace Echain.Bench;

/// <summary>
/// The child process the benchmark measures: the real app from <see cref="EchainApp.CreateAsync"/>
/// (or, for the baseline, an empty Kestrel POST endpoint), plus /bench/* endpoints the driver reads:
/// meter "Echain" counters, process CPU and GC, and Stopwatch totals around the queue and the cache.
/// </summary>
public static class ServeMode
{
    /// <summary>Marks, on the POST that stores the baseline's GET, the headers that GET answers with (the prefix removed).</summary>
    public const string ReplayedHeaderPrefix = "X-Replay-";

    public static async Task<int> RunAsync(string role, IReadOnlyDictionary<string, string> options)
    {
        var port = options["port"];
        var timers = new Timers();
        var meters = new MeterTotals();
        WebApplication app;
        if (role == "baseline")
        {
            var builder = WebApplication.CreateBuilder(["--urls", $"http://127.0.0.1:{port}"]);
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            app = builder.Build();
            app.MapPost("/empty", async (HttpRequest request) =>
            {
                await request.Body.CopyToAsync(Stream.Null);
                return Results.StatusCode(StatusCodes.Status202Accepted);
            });
            var replayed = new StaticResponse();
            app.MapPost("/bench/static-response", replayed.StoreAsync);
            app.MapGet("/static", replayed.WriteAsync);
        }
        else
        {
            var settings = new Dictionary<string, string?>
            {
                ["ConnectionStrings:Postgres"] = options["pg"],
                ["ConnectionStrings:Redis"] = options["redis"],
                ["Coinbase:WebhookSecrets:0"] = Bench.Secret,
                ["Echain:TicketContracts:0"] = Bench.TicketContract,
                ["Echain:PaymentTokens:0"] = Bench.Usdc,
                ["Echain:Auth:SigningKey"] = "bench-signing-key-0123456789abcdef0123456789",
                ["Echain:Auth:EnableDevTokens"] = "true",
                ["Echain:Cache:Enabled"] = options.GetValueOrDefault("cache", "true"),
                // The load generator is one client by design: per-client limits would measure the limiter, not the app.
                ["Echain:RateLimits:Enabled"] = "false",
                ["Echain:Queue:Consume"] = options.GetValueOrDefault("consume", "true"),
                ["Echain:Queue:StreamName"] = options.GetValueOrDefault("stream", "echain:chain-events"),
                ["Echain:Realtime:RedisBackplane"] = options.GetValueOrDefault("backplane", "false"),
                ["Logging:LogLevel:Default"] = "Warning",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
                // appsettings.json logs each request at Information: not while measuring.
                ["Logging:LogLevel:Microsoft.AspNetCore.HttpLogging"] = "Warning",
            };
            // Only the import instance follows the chain; the others measure the pipeline alone (bench/README.md).
            if (options.TryGetValue("rpc", out var rpc))
                foreach (var (key, value) in new Dictionary<string, string>
                {
                    ["Echain:Chain:RpcUrls:0"] = rpc, ["Echain:Chain:Reconcile"] = "true", ["Echain:Chain:Confirmations"] = "0",
                    ["Echain:Chain:ReconcileInterval"] = "00:00:01", ["Echain:Chain:Network"] = BenchChain.Network,
                })
                    settings[key] = value;
            app = await EchainApp.CreateAsync(["--urls", $"http://127.0.0.1:{port}"],
                builder => builder.Configuration.AddInMemoryCollection(settings),
                builder =>
            {
                // Stopwatch decorators around the two stores the request paths touch.
                builder.Services.AddSingleton<IChainEventQueue>(sp =>
                    new TimedQueue(sp.GetRequiredService<RedisChainEventQueue>(), timers));
                // The real worker runs unchanged; its processor and publisher are decorated with Stopwatches.
                builder.Services.AddSingleton<IChainEventProcessor>(sp =>
                    new TimedProcessor(sp.GetRequiredService<ChainEventProcessor>(), timers));
                builder.Services.AddSingleton<IRealtimePublisher>(sp =>
                    new TimedPublisher(sp.GetRequiredService<HubRealtimePublisher>(), timers));
                var cacheEnabled = options.GetValueOrDefault("cache", "true") == "true";
                builder.Services.AddSingleton<IReadCache>(sp => new TimedCache(cacheEnabled
                    ? ActivatorUtilities.CreateInstance<RedisReadCache>(sp)
                    : new UncachedReads(), timers));
            });
            app.MapPost("/bench/broadcast", BroadcastAsync);
        }
        // Server-side time per route, to tell server work from client and socket time.
        app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            await next(context);
            var route = context.Request.Path.StartsWithSegments("/api/events") ? "GET /api/events/{id}" : context.Request.Path.Value ?? "";
            if (!route.StartsWith("/bench", StringComparison.Ordinal) && !route.StartsWith("/hubs", StringComparison.Ordinal))
                timers.Add("http " + route, Stopwatch.GetElapsedTime(started));
        });
        // fullGc=true: a full blocking GC first, so the managed heap is what is live (memory at N connections).
        app.MapGet("/bench/counters", (bool? fullGc) => Results.Json(Snapshot(meters, timers, fullGc == true)));
        app.MapPost("/bench/reset", () => { timers.Clear(); return Results.NoContent(); });
        await app.RunAsync();
        return 0;
    }

    /// <summary>Sends count messages to one group at rate/s (0 = back to back); payload carries the send time.</summary>
    private static async Task<IResult> BroadcastAsync(string group, int count, double rate, IHubContext<EchainHub> hub)
    {
        count = Math.Clamp(count, 0, 1_000_000);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            if (rate > 0)
            {
                var due = TimeSpan.FromSeconds(i / rate);
                var wait = due - clock.Elapsed;
                if (wait > TimeSpan.FromMilliseconds(1)) await Task.Delay(wait);
            }
            await hub.Clients.Group(group).SendAsync("bench", i, DateTime.UtcNow.Ticks);
        }
        return Results.Json(new { count, elapsedMs = clock.Elapsed.TotalMilliseconds });
    }

    private static object Snapshot(MeterTotals meters, Timers timers, bool fullGc)
    {
        var managedHeap = GC.GetTotalMemory(forceFullCollection: fullGc);
        using var process = Process.GetCurrentProcess();
        return new
        {
            cpuMs = process.TotalProcessorTime.TotalMilliseconds,
            userMs = process.UserProcessorTime.TotalMilliseconds,
            serverGc = GCSettings.IsServerGC,
            gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2),
            gcPauseMs = GC.GetTotalPauseDuration().TotalMilliseconds,
            allocatedBytes = GC.GetTotalAllocatedBytes(precise: false),
            threads = ThreadPool.ThreadCount,
            workingSetMb = process.WorkingSet64 / 1048576.0,
            rssMb = process.WorkingSet64 / 1048576.0, // VmRSS on Linux
            managedHeapMb = managedHeap / 1048576.0,
            meters = meters.Values(),
            timers = timers.Values(),
        };
    }
}

/// <summary>
/// The baseline's GET: the bytes and headers the driver copied from one of the app's responses, written as they are,
/// so that the baseline answers the same bytes with nothing behind them.
/// </summary>
public sealed class StaticResponse
{
    private sealed record Stored(byte[] Body, string? ContentType, KeyValuePair<string, string>[] Headers);

    // Replaced whole by the POST, read whole by every GET: no request sees half of one response and half of another.
    private volatile Stored _response = new([], null, []);

    public async Task<IResult> StoreAsync(HttpRequest request)
    {
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body);
        var headers = request.Headers
            .Where(h => h.Key.StartsWith(ServeMode.ReplayedHeaderPrefix, StringComparison.OrdinalIgnoreCase))
            .Select(h => KeyValuePair.Create(h.Key[ServeMode.ReplayedHeaderPrefix.Length..], h.Value.ToString()))
            .ToArray();
        _response = new Stored(body.ToArray(), request.ContentType, headers);
        return Results.NoContent();
    }

    public Task WriteAsync(HttpResponse response)
    {
        var (body, contentType, headers) = _response;
        foreach (var (name, value) in headers) response.Headers[name] = value;
        response.ContentType = contentType;
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body).AsTask();
    }
}

/// <summary>Count and total time per named step.</summary>
public sealed class Timers
{
    private readonly ConcurrentDictionary<string, long[]> _values = new();

    public void Add(string name, TimeSpan elapsed, long count = 1)
    {
        var slot = _values.GetOrAdd(name, _ => new long[2]);
        Interlocked.Add(ref slot[0], count);
        Interlocked.Add(ref slot[1], elapsed.Ticks);
    }

    public void Clear() => _values.Clear();

    public Dictionary<string, double[]> Values() =>
        _values.ToDictionary(kv => kv.Key, kv => new[] { kv.Value[0], kv.Value[1] / (double)TimeSpan.TicksPerMillisecond });
}

/// <summary>Totals of every counter in meter "Echain", keyed "name|tag=value,…".</summary>
public sealed class MeterTotals
{
    private readonly ConcurrentDictionary<string, long> _values = new();
    private readonly MeterListener _listener = new();

    public MeterTotals()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == EchainMetrics.MeterName) listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var key = instrument.Name;
            foreach (var tag in tags)
                if (tag.Value is not null) key += $"|{tag.Key}={tag.Value}";
            _values.AddOrUpdate(key, value, (_, old) => old + value);
        });
        _listener.Start();
    }

    public Dictionary<string, long> Values() => new(_values);
}

internal sealed class TimedProcessor(IChainEventProcessor inner, Timers timers) : IChainEventProcessor
{
    public async Task<IReadOnlyList<ProcessingResult>> ProcessBatchAsync(IReadOnlyList<QueuedLog> logs, IRealtimePublisher publisher,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try { return await inner.ProcessBatchAsync(logs, publisher, cancellationToken); }
        finally
        {
            timers.Add("projector: handler per lane batch (total)", Stopwatch.GetElapsedTime(started));
            timers.Add("projector: logs in lane batches", TimeSpan.Zero, logs.Count);
        }
    }
}

internal sealed class TimedPublisher(HubRealtimePublisher inner, Timers timers) : IRealtimePublisher
{
    public async Task PublishAsync(IReadOnlyList<RealtimeMessage> messages, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try { await inner.PublishAsync(messages, cancellationToken); }
        finally { timers.Add("projector: SignalR publish", Stopwatch.GetElapsedTime(started)); }
    }
}

internal sealed class TimedQueue(IChainEventQueue inner, Timers timers) : IChainEventQueue
{
    public async Task<IReadOnlyList<string>> EnqueueAsync(IReadOnlyList<ChainEvent> events, QueuedTrace trace, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try { return await inner.EnqueueAsync(events, trace, cancellationToken); }
        finally { timers.Add("queue enqueue (Redis XADD)", Stopwatch.GetElapsedTime(started)); }
    }
}

internal sealed class TimedCache(IReadCache inner, Timers timers) : IReadCache
{
    public async Task<CachedJson?> GetOrLoadAsync(string resource, string variant, TimeSpan ttl,
        Func<CancellationToken, Task<byte[]?>> load, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var loaded = false;
        async Task<byte[]?> TimedLoad(CancellationToken ct)
        {
            loaded = true;
            var s = Stopwatch.GetTimestamp();
            try { return await load(ct); }
            finally { timers.Add("read load (Postgres)", Stopwatch.GetElapsedTime(s)); }
        }
        try { return await inner.GetOrLoadAsync(resource, variant, ttl, TimedLoad, cancellationToken); }
        finally { timers.Add(loaded ? "read via cache, miss (total)" : "read via cache, hit (total)", Stopwatch.GetElapsedTime(started)); }
    }

    public async Task InvalidateAsync(IReadOnlyCollection<string> resources, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try { await inner.InvalidateAsync(resources, cancellationToken); }
        finally { timers.Add("projector: cache invalidate (Redis)", Stopwatch.GetElapsedTime(started)); }
    }
}
