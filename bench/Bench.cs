using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Echain.Demo;
using Echain.Demo.Chain;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Echain.Bench;

/// <summary>The driver: local services, the measured child processes, the seven scenarios, the report.</summary>
public sealed partial class Bench
{
    public const string Secret = "bench-webhook-secret";
    // The local chain's contracts: real transactions (freshness) and synthetic load alike are theirs.
    public static string TicketContract => EchainDeployment.Local.TicketContract;
    public static string Usdc => EchainDeployment.Local.PaymentToken;
    // Synthetic event ids, far above the few the chain assigns (it numbers events 1, 2, …).
    private const int FirstReadEvent = 1_001, E2eEvent = 100_001, WarmupEvent = 100_002, FanoutEvent = 200_001, SeedEvent = 200_002;

    private readonly Mode _mode;
    private readonly string? _only;
    private readonly string _out;
    private readonly string _logs;
    private readonly BenchResults _results = new();
    private readonly HttpClient _http = LoadGen.CreateClient();
    private readonly SyntheticActivity _synthetic = new(TicketContract, Usdc, BenchChain.Network);
    private readonly string[] _wallets = Enumerable.Range(0, 1000).Select(_ => SyntheticActivity.RandomAddress()).ToArray();
    private readonly string _organizer = SyntheticActivity.RandomAddress();
    private BenchServices _services = null!;
    private BenchChain _chain = null!;
    private int _freshEvent; // created on the chain at setup
    private Child _app = null!;
    private long _nextToken = 1;

    private Bench(Mode mode, string outDir, string? only)
    {
        _mode = mode;
        _only = only;
        _out = outDir;
        _logs = Path.Combine(outDir, "tmp", "logs");
        Directory.CreateDirectory(_logs);
    }

    public static async Task<int> MainAsync(string[] args)
    {
        var mode = args.Contains("--full") ? Mode.Full : args.Contains("--smoke") ? Mode.Smoke : Mode.Quick;
        var outIndex = Array.IndexOf(args, "--out");
        var outDir = Path.GetFullPath(outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : Path.Combine("bench", "results"));
        if (mode == Mode.Smoke && outIndex < 0) outDir = Path.Combine(outDir, "tmp", "smoke");
        Directory.CreateDirectory(outDir);
        // --only resume: that scenario alone (it needs neither the chain nor the other scenarios' data).
        var onlyIndex = Array.IndexOf(args, "--only");
        var only = onlyIndex >= 0 && onlyIndex + 1 < args.Length ? args[onlyIndex + 1] : null;
        if (only is not null and not "resume") throw new ArgumentException($"--only {only}: only 'resume' runs alone");
        var bench = new Bench(mode, outDir, only);
        var total = Stopwatch.StartNew();
        var machine = new MachineInfo();
        try
        {
            await bench.RunAsync();
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"bench failed: {e}");
            return 1;
        }
        machine.Finish();
        var report = new Report(mode, bench._results, machine, total.Elapsed);
        report.Write(outDir);
        Console.WriteLine(report.Table());
        Console.WriteLine($"report: {Path.Combine(outDir, "report.md")} ({total.Elapsed.TotalSeconds:F0} s)");
        // Smoke fails only when the harness or the app is broken (errors, lost messages), never on timing.
        return bench._results.Findings.Any(f => f.StartsWith("BROKEN", StringComparison.Ordinal)) ? 1 : 0;
    }

    private static void Log(string message) => Console.WriteLine($"[{DateTime.Now:HH:mm:ss}] {message}");

    private async Task RunAsync()
    {
        Log($"mode {_mode.Name}: starting PostgreSQL and Redis");
        _services = await BenchServices.StartAsync(Path.Combine(_out, _mode == Mode.Smoke ? "" : "tmp"));
        try
        {
            if (_only == "resume")
            {
                await ResumeAsync();
                return;
            }
            // Before anything of the app runs: the services alone, on the cores they will share with it.
            Log("baselines: pgbench and redis-benchmark on the private PostgreSQL and Redis");
            await BaselinesAsync();
            Log("starting a local chain (anvil) with the Echain contracts");
            _chain = await BenchChain.StartAsync();
            Log("starting the app (child process)");
            _app = await Child.StartAsync("app", "app", _logs, ("pg", _services.Postgres()), ("redis", _services.Redis), ("cache", "true"));
            await using var baseline = await Child.StartAsync("baseline", "baseline", _logs);
            await SetupAsync();
            Log("warm-up: webhooks, reads and connects");
            await WarmUpAsync(baseline);
            // Ingest runs last: it leaves a backlog the projector needs minutes to apply, which must not
            // sit under the end-to-end, read or freshness figures.
            for (var run = 1; run <= _mode.Runs; run++)
            {
                Log($"run {run}/{_mode.Runs}: end to end");
                await EndToEndAsync(run);
                Log($"run {run}/{_mode.Runs}: reads");
                await ReadsAsync(run, baseline);
            }
            await using (var uncached = await Child.StartAsync("app-uncached", "app", _logs,
                             ("pg", _services.Postgres()), ("redis", _services.Redis), ("cache", "false")))
            {
                for (var run = 1; run <= _mode.Runs; run++)
                {
                    Log($"run {run}/{_mode.Runs}: reads, cache disabled");
                    await UncachedReadsAsync(uncached);
                }
            }
            ComputeReadRatio();
            Log("fan-out");
            await FanoutAsync();
            for (var run = 1; run <= _mode.Runs; run++)
            {
                Log($"run {run}/{_mode.Runs}: freshness, {_mode.PollInterval.TotalSeconds:F0} s poller vs push");
                await FreshnessAsync(run);
            }
            // After freshness (its transactions are part of the history) and before ingest's backlog.
            Log($"history import: about {_mode.ImportLogs:N0} logs of real transactions");
            await ImportAsync();
            Log($"resume: {_mode.ResumeClients} clients through a {_mode.ResumeOutage.TotalSeconds:F0} s outage of their instance");
            await ResumeAsync();
            for (var run = 1; run <= _mode.Runs; run++)
            {
                Log($"run {run}/{_mode.Runs}: webhook ingest");
                await IngestAsync(baseline, run);
            }
            await WhereTheTimeGoesAsync();
        }
        finally
        {
            if (_app is not null) await _app.DisposeAsync();
            _chain?.Dispose();
            await _services.DisposeAsync();
        }
    }

    private WebhookSender Sender(Child child, string path = "api/webhooks/coinbase") => new(_http, child.Url(path), Secret);

    private async Task<bool> SendAsync(WebhookSender sender, CdpActivity activity)
    {
        using var response = await sender.SendAsync(activity);
        return response.StatusCode == HttpStatusCode.Accepted;
    }

    private async Task SetupAsync()
    {
        var sender = Sender(_app);
        var start = DateTimeOffset.UtcNow.AddDays(30);
        var ids = Enumerable.Range(FirstReadEvent, _mode.ReadEvents).Concat([E2eEvent, WarmupEvent, FanoutEvent, SeedEvent]).ToArray();
        var before = await _app.CountersAsync();
        var (freshEvent, created) = await _chain.CreateEventAsync("Bench freshness event", "freshness stream", start, start.AddHours(3), 10_000_000, 25_000_000);
        _freshEvent = (int)freshEvent;
        foreach (var activity in created)
            if (!await SendAsync(sender, activity)) Broken("setup: the freshness event's EventCreated webhook was refused");
        var result = await LoadGen.ClosedLoopAsync(16, TimeSpan.FromMinutes(2), i => SendAsync(sender,
            _synthetic.CreateEvent(ids[i], _organizer, $"Bench event {ids[i]}", "A benchmark event with a realistic description length.",
                start, start.AddHours(3), 10_000_000, 25_000_000)[0]), ids.Length);
        if (result.Ok != ids.Length) Broken($"setup: {result.Errors} of {ids.Length} EventCreated webhooks failed ({result.FirstError})");
        await DrainAsync(before.Meter("echain.events.processed") + ids.Length + created.Count, TimeSpan.FromSeconds(120));
    }

    private void Broken(string what)
    {
        _results.Findings.Add("BROKEN: " + what);
        Log("BROKEN: " + what);
    }

    /// <summary>Waits (bounded) until the projector has processed <paramref name="target"/> events in total.</summary>
    private async Task<bool> DrainAsync(long target, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < limit)
        {
            if ((await _app.CountersAsync()).Meter("echain.events.processed") >= target) return true;
            await Task.Delay(100);
        }
        Broken($"the queue did not drain to {target} processed events within {limit.TotalSeconds} s");
        return false;
    }


    /// <summary>
    /// A SignalR client as the frontend connects to the standalone host: POST /api/negotiate naming its event, WebSockets, and the
    /// proof, which lists the event the hub joined before sending it (no HTTP join).
    /// </summary>
    private static async Task<HubConnection> ConnectAsync(int eventId, Child child)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(child.Url($"api?events={eventId}"), HttpTransportType.WebSockets)
            .WithStatefulReconnect()
            .Build();
        connection.ServerTimeout = TimeSpan.FromMinutes(2);
        var proofs = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = connection.On<JsonElement>("connection-proof", p => proofs.TrySetResult(p.Clone()));
        await connection.StartAsync();
        var proof = await proofs.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var joined = proof.TryGetProperty("events", out var events) ? events.EnumerateArray().Select(e => e.ToString()).ToArray() : [];
        if (!joined.Contains(eventId.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            throw new InvalidOperationException($"the hub joined [{string.Join(", ", joined)}] at negotiate, not event {eventId}");
        return connection;
    }

    private Task<HubConnection> ConnectAsync(int eventId) => ConnectAsync(eventId, _app);
}
