using System.Diagnostics;
using System.Text.Json;

namespace Echain.Bench;

public sealed partial class Bench
{
    private static readonly TimeSpan ImportLimit = TimeSpan.FromMinutes(10);

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
            _results.Add(s, "reconciler import, /api/health to everything applied", "logs/s", n / import.TotalSeconds,
                note: $"{import.TotalSeconds:F1} s");
        if (webhooks is { } baseline)
            _results.Add(s, "baseline: the same logs as signed webhooks, first send to applied", "logs/s", n / baseline.TotalSeconds,
                note: $"{baseline.TotalSeconds:F1} s");
        if (imported is { } i && webhooks is { } w)
            _results.Add(s, "import / webhook baseline", "ratio", w.TotalSeconds / i.TotalSeconds);
        _results.Details["history import"] = new
        {
            transactions, logs = n, head = history.Head, getLogsMs = history.ReadTime.TotalMilliseconds, getLogsReads = history.Reads,
            importSeconds = imported?.TotalSeconds, webhookSeconds = webhooks?.TotalSeconds,
        };
    }

    /// <summary>Time from the app answering /api/health until /api/chain says the import is done and all N logs are applied.</summary>
    private async Task<TimeSpan?> ImportWithReconcilerAsync(ChainHistory history)
    {
        var database = await _services.CreateDatabaseAsync("echain_import");
        await using var app = await Child.StartAsync("app-import", "app", _logs, ("pg", database), ("redis", _services.Redis),
            ("stream", "echain:bench:import"), ("rpc", _chain.RpcUrl.ToString()));
        var clock = Stopwatch.StartNew();
        var n = history.Logs.Count;
        string last = "no answer yet";
        while (clock.Elapsed < ImportLimit)
        {
            var chain = await _http.GetFromJsonAsync<JsonElement>(app.Url("api/chain"));
            var reconciler = chain.GetProperty("reconciler");
            var reconciled = chain.GetProperty("reconciled") is { ValueKind: JsonValueKind.Number } r ? r.GetInt64() : -1;
            var done = reconciler.GetProperty("import") is { ValueKind: JsonValueKind.Object } i && i.GetProperty("done").GetBoolean();
            var imported = reconciler.GetProperty("imported").GetInt64();
            var applied = (await app.CountersAsync()).Meter("echain.events.processed|status=applied");
            if (reconciled >= history.Head && done && imported == n && applied >= n) return clock.Elapsed;
            if (imported > n) { Broken($"import: {imported} logs imported, the chain has {n}"); return null; }
            last = $"reconciled {reconciled} of {history.Head}, done {done}, imported {imported} of {n}, applied {applied}";
            await Task.Delay(100);
        }
        Broken($"import: not finished within {ImportLimit.TotalMinutes} min ({last}); see {_logs}/app-import.log");
        return null;
    }

    /// <summary>The same logs as CDP deliveries (chain order, 8 senders) to an app on an empty database without a node.</summary>
    private async Task<TimeSpan?> ApplyAsWebhooksAsync(ChainHistory history)
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
        long applied = 0;
        while (clock.Elapsed < ImportLimit)
        {
            applied = (await app.CountersAsync()).Meter("echain.events.processed|status=applied");
            if (applied >= deliveries.Count) return clock.Elapsed;
            await Task.Delay(100);
        }
        Broken($"import baseline: {applied} of {deliveries.Count} webhook logs applied within {ImportLimit.TotalMinutes} min");
        return null;
    }
}
