using System.Diagnostics;
using System.Text.Json;

namespace Echain.Bench;

public sealed partial class Bench
{
    private static readonly TimeSpan ImportLimit = TimeSpan.FromMinutes(10);

    /// <summary>When the import's milestones were seen, from /api/health: first log applied, all N applied, checkpoint at the head.</summary>
    private sealed record ImportTimes(TimeSpan? FirstApplied, TimeSpan? AllApplied, TimeSpan Finished);

    /// <summary>The baseline's milestones from the first send: every webhook answered 202, every log applied.</summary>
    private sealed record WebhookTimes(TimeSpan Accepted, TimeSpan Applied);

    // ---------------------------------------------------------------- 6. history import
    /// <summary>
    /// Real transactions on the bench's anvil, then an app on an empty database that imports them with the
    /// reconciler; the baseline is the same logs delivered as webhooks to another empty database.
    /// </summary>
    private async Task ImportAsync()
    {
        const string s = "6. History import (real transactions)";
        var clock = Stopwatch.StartNew();
        var transactions = await _chain.MakeHistoryAsync(_mode.ImportLogs);
        Log($"import: {transactions} transactions mined in {clock.Elapsed.TotalSeconds:F0} s");
        var history = await _chain.ReadHistoryAsync();
        var n = history.Logs.Count;
        _results.Add(s, "projectable logs on the chain (N)", "logs", n);
        _results.Add(s, "eth_getLogs reads alone, blocks 0 to head", "logs/s", n / history.ReadTime.TotalSeconds,
            note: $"{history.Reads} reads, {history.ReadTime.TotalMilliseconds:F0} ms");

        var imported = await ImportWithReconcilerAsync(history);
        var webhooks = await ApplyAsWebhooksAsync(history);
        if (imported is { } import)
            _results.Add(s, "reconciler import, /api/health to everything applied", "logs/s", n / import.Finished.TotalSeconds,
                note: $"{import.Finished.TotalSeconds:F1} s");
        if (webhooks is { } baseline)
            _results.Add(s, "baseline: the same logs as signed webhooks, first send to applied", "logs/s", n / baseline.Applied.TotalSeconds,
                note: $"{baseline.Applied.TotalSeconds:F1} s");
        if (imported is { } i && webhooks is { } w)
            _results.Add(s, "import / webhook baseline", "ratio", w.Applied.TotalSeconds / i.Finished.TotalSeconds);
        _results.Details["history import (seconds from /api/health or the first send)"] = new
        {
            transactions, logs = n, head = history.Head, getLogsMs = history.ReadTime.TotalMilliseconds, getLogsReads = history.Reads,
            importFirstApplied = imported?.FirstApplied?.TotalSeconds, importAllApplied = imported?.AllApplied?.TotalSeconds,
            importFinished = imported?.Finished.TotalSeconds,
            webhooksAccepted = webhooks?.Accepted.TotalSeconds, webhooksApplied = webhooks?.Applied.TotalSeconds,
        };
    }

    /// <summary>Time from the app answering /api/health until /api/chain says the import is done and all N logs are applied.</summary>
    private async Task<ImportTimes?> ImportWithReconcilerAsync(ChainHistory history)
    {
        var database = await _services.CreateDatabaseAsync("echain_import");
        await using var app = await Child.StartAsync("app-import", "app", _logs, ("pg", database), ("redis", _services.Redis),
            ("stream", "echain:bench:import"), ("rpc", _chain.RpcUrl.ToString()));
        var clock = Stopwatch.StartNew();
        var n = history.Logs.Count;
        string last = "no answer yet";
        TimeSpan? firstApplied = null, allApplied = null;
        while (clock.Elapsed < ImportLimit)
        {
            var chain = await _http.GetFromJsonAsync<JsonElement>(app.Url("api/chain"));
            var reconciler = chain.GetProperty("reconciler");
            var reconciled = chain.GetProperty("reconciled") is { ValueKind: JsonValueKind.Number } r ? r.GetInt64() : -1;
            var done = reconciler.GetProperty("import") is { ValueKind: JsonValueKind.Object } i && i.GetProperty("done").GetBoolean();
            var imported = reconciler.GetProperty("imported").GetInt64();
            var applied = (await app.CountersAsync()).Meter("echain.events.processed|status=applied");
            if (applied > 0) firstApplied ??= clock.Elapsed;
            if (imported == n && applied >= n) allApplied ??= clock.Elapsed;
            if (reconciled >= history.Head && done && imported == n && applied >= n)
            {
                var finished = clock.Elapsed;
                _results.Details["import timers (app-import)"] = (await app.CountersAsync()).Timers();
                return new ImportTimes(firstApplied, allApplied, finished);
            }
            if (imported > n) { Broken($"import: {imported} logs imported, the chain has {n}"); return null; }
            last = $"reconciled {reconciled} of {history.Head}, done {done}, imported {imported} of {n}, applied {applied}";
            await Task.Delay(100);
        }
        Broken($"import: not finished within {ImportLimit.TotalMinutes} min ({last}); see {_logs}/app-import.log");
        return null;
    }

    /// <summary>The same logs as CDP deliveries (chain order, 8 senders) to an app on an empty database without a node.</summary>
    private async Task<WebhookTimes?> ApplyAsWebhooksAsync(ChainHistory history)
    {
        var deliveries = await _chain.DeliveriesAsync(history.Logs);
        var database = await _services.CreateDatabaseAsync("echain_webhooks");
        await using var app = await Child.StartAsync("app-webhooks", "app", _logs, ("pg", database), ("redis", _services.Redis),
            ("stream", "echain:bench:webhooks"));
        var sender = Sender(app);
        var clock = Stopwatch.StartNew();
        var sent = await LoadGen.ClosedLoopAsync(8, ImportLimit, i => SendAsync(sender, deliveries[(int)i]), deliveries.Count);
        if (sent.Ok != deliveries.Count)
        {
            Broken($"import baseline: {sent.Errors} of {deliveries.Count} webhooks not answered 202 ({sent.FirstError})");
            return null;
        }
        var accepted = clock.Elapsed;
        long applied = 0;
        while (clock.Elapsed < ImportLimit)
        {
            applied = (await app.CountersAsync()).Meter("echain.events.processed|status=applied");
            if (applied >= deliveries.Count)
            {
                var done = clock.Elapsed;
                _results.Details["import baseline timers (app-webhooks)"] = (await app.CountersAsync()).Timers();
                return new WebhookTimes(accepted, done);
            }
            await Task.Delay(100);
        }
        Broken($"import baseline: {applied} of {deliveries.Count} webhook logs applied within {ImportLimit.TotalMinutes} min");
        return null;
    }
}
