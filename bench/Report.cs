using System.Globalization;
using System.Text;
using System.Text.Json;
using ScottPlot;

namespace Echain.Bench;

/// <summary>report.md, report.json and latency.png.</summary>
public sealed class Report(Mode mode, BenchResults results, MachineInfo machine, TimeSpan elapsed)
{
    private readonly IReadOnlyList<Figure> _figures = results.Figures();

    public void Write(string directory)
    {
        File.WriteAllText(Path.Combine(directory, "report.md"), Markdown());
        File.WriteAllText(Path.Combine(directory, "report.json"), JsonSerializer.Serialize(new
        {
            mode = mode.Name, runs = mode.Runs, phaseSeconds = mode.Phase.TotalSeconds, machine, elapsedSeconds = elapsed.TotalSeconds,
            figures = _figures, findings = results.Findings, details = results.Details,
            curves = results.Curves.ToDictionary(c => c.Key, c => new { summary = c.Value.Summary(), points = c.Value.Curve().Select(p => new[] { p.Percentile, p.Ms }) }),
        }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        Chart(Path.Combine(directory, "latency.png"));
    }

    private static string Num(double v) => double.IsNaN(v) ? "n/a" : v switch
    {
        >= 1000 => v.ToString("N0", CultureInfo.InvariantCulture),
        >= 100 => v.ToString("F0", CultureInfo.InvariantCulture),
        >= 10 => v.ToString("F1", CultureInfo.InvariantCulture),
        _ => v.ToString("F2", CultureInfo.InvariantCulture),
    };

    public string Table()
    {
        var sb = new StringBuilder();
        sb.AppendLine("| Section | Figure | Median | Unit | Runs | Target | Verdict |");
        sb.AppendLine("|---|---|---:|---|---|---|---|");
        foreach (var f in _figures)
            sb.AppendLine($"| {f.Section} | {f.Name}{(f.Note is null ? "" : $" ({f.Note})")} | {Num(f.Median)} | {f.Unit} | {string.Join(" / ", f.Runs.Select(Num))} | {f.Target} | {f.Verdict} |");
        return sb.ToString();
    }

    private string Markdown()
    {
        var sb = new StringBuilder();
        sb.AppendLine($"# Echain benchmark — {mode.Name} mode");
        sb.AppendLine();
        sb.AppendLine($"Generated {machine.StartedUtc:yyyy-MM-dd HH:mm} UTC by `bench/run.sh --{mode.Name}` in {elapsed.TotalSeconds:F0} s. " +
                      $"Each figure is the median of {mode.Runs} run(s) (every run listed); phases of {mode.Phase.TotalSeconds:F0} s.");
        sb.AppendLine();
        sb.AppendLine($"**Machine:** {machine.Cores} cores ({machine.Cpu}), {machine.MemoryGb:F1} GB memory, {machine.Os}, {machine.Runtime}. " +
                      $"Load average at start `{machine.LoadAtStart}`, at end `{machine.LoadAtEnd}`; whole machine CPU busy {machine.MachineBusyPercent:F0} % during the run " +
                      "(load generator, app, PostgreSQL, Redis and anything else running).");
        sb.AppendLine();
        sb.AppendLine("**Setup:** the app is a child process (`Echain.Bench --serve app`, the real `EchainApp.CreateAsync` composition, server GC) so its CPU, GC and " +
                      "thread pool are its own; the load generator, the SignalR clients and the driver are the parent process on the same cores. PostgreSQL 15 " +
                      "(durable defaults: fsync, synchronous_commit on) and Redis 7 (AOF every second) are private instances on free loopback ports under " +
                      "bench/results/tmp. Load is open loop where a rate is given (latency from the intended send time, so queueing is not hidden) and " +
                      "closed loop (N clients back to back) for saturation; percentiles from HdrHistogram (1 µs – 5 min, 3 significant digits). Webhooks are " +
                      "signed CDP deliveries (WebhookSender). The freshness changes and the history import are real transactions on a private anvil with the Echain " +
                      "contracts (the import: an app on an empty database with the node's RPC URL and the reconciler on, timed until /api/chain " +
                      "shows the import done and all N logs applied); the high-rate load is synthetic in the exact shape of those contracts' logs (bench/SyntheticActivity.cs: " +
                      "invented ids and hashes, thousands of distinct events per second, more than a node should mine here). Correctness is " +
                      "proven by the test suite on real transactions, not here.");
        sb.AppendLine();
        sb.AppendLine("## Goals");
        sb.AppendLine();
        sb.AppendLine("Each goal against its baseline, measured in this run on this machine (medians; the ratio is ours / baseline). " +
                      "A FAIL's measured cause is in analysis.md.");
        sb.AppendLine();
        sb.Append(Goals.Table(_figures, Num));
        sb.AppendLine();
        sb.AppendLine("## Figures");
        sb.AppendLine();
        sb.Append(Table());
        sb.AppendLine();
        var missed = _figures.Where(f => f.Pass == false).ToList();
        sb.AppendLine("## Targets missed");
        sb.AppendLine();
        if (missed.Count == 0) sb.AppendLine("None.");
        foreach (var f in missed) sb.AppendLine($"- {f.Section}: {f.Name} = {Num(f.Median)} {f.Unit}, target {f.Target}.");
        sb.AppendLine();
        if (results.Findings.Count > 0)
        {
            sb.AppendLine("## Findings during the run");
            sb.AppendLine();
            foreach (var f in results.Findings) sb.AppendLine($"- {f}");
            sb.AppendLine();
        }
        sb.AppendLine("## Where the time goes (measured)");
        sb.AppendLine();
        sb.AppendLine("Timers are Stopwatch totals inside the app process (`http …` = whole request inside Kestrel's pipeline; the queue and cache " +
                      "entries are decorators around `IChainEventQueue` and `IReadCache`). CPU per request is the app process's CPU time over the phase " +
                      "divided by requests.");
        sb.AppendLine();
        foreach (var (name, value) in results.Details)
        {
            sb.AppendLine($"### {name}");
            sb.AppendLine();
            switch (value)
            {
                case Dictionary<string, (long Count, double TotalMs)> timers:
                    sb.AppendLine("| step | count | total ms | mean ms |");
                    sb.AppendLine("|---|---:|---:|---:|");
                    foreach (var (step, (count, total)) in timers.OrderByDescending(t => t.Value.TotalMs))
                        sb.AppendLine($"| {step} | {count:N0} | {total:F0} | {(count == 0 ? 0 : total / count):F3} |");
                    break;
                case IEnumerable<string> lines:
                    sb.AppendLine("```");
                    foreach (var l in lines) sb.AppendLine(l);
                    sb.AppendLine("```");
                    break;
                default:
                    sb.AppendLine("```json");
                    sb.AppendLine(JsonSerializer.Serialize(value, new JsonSerializerOptions { WriteIndented = true }));
                    sb.AppendLine("```");
                    break;
            }
            sb.AppendLine();
        }
        sb.AppendLine("## Latency chart");
        sb.AppendLine();
        sb.AppendLine("![latency by percentile](latency.png)");
        sb.AppendLine();
        sb.AppendLine("Latency (log scale) by percentile for the last run of each phase; raw points are in report.json.");
        return sb.ToString();
    }

    private void Chart(string path)
    {
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var index = 0;
        static double X(double p) => -Math.Log10(Math.Max(1e-6, 1 - p / 100));
        foreach (var (name, latency) in results.Curves)
        {
            var points = latency.Curve();
            if (points.Count == 0) continue;
            var xs = points.Select(p => X(p.Percentile)).ToArray();
            var ys = points.Select(p => Math.Log10(Math.Max(0.01, p.Ms))).ToArray();
            var line = plot.Add.Scatter(xs, ys);
            line.LegendText = name;
            line.Color = palette.GetColor(index++);
            line.LineWidth = 2;
        }
        var xTicks = new[] { 0.0, 50, 90, 99, 99.9, 99.99, 99.999 };
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            xTicks.Select(X).ToArray(), xTicks.Select(p => p.ToString(CultureInfo.InvariantCulture) + " %").ToArray());
        var yTicks = new[] { 0.01, 0.1, 1, 10, 100, 1000, 10000, 100000 };
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            yTicks.Select(Math.Log10).ToArray(), yTicks.Select(v => v.ToString(CultureInfo.InvariantCulture) + " ms").ToArray());
        plot.Title($"Echain latency by percentile ({mode.Name} mode, {machine.Cores} cores)");
        plot.XLabel("percentile");
        plot.YLabel("latency");
        plot.ShowLegend(Alignment.UpperLeft);
        plot.SavePng(path, 1200, 700);
    }
}
