using System.Globalization;
using System.Text;

namespace Echain.Bench;

/// <summary>A figure of the report, named as the scenario that measures it adds it (section and name).</summary>
public sealed record FigureRef(string Section, string Name);

/// <summary>
/// One goal of the benchmark: our figure against a baseline measured in the same run. The ratio is ours / baseline
/// (medians); <see cref="RatioLimit"/> is an upper bound when <see cref="RatioAtMost"/> (latencies, times), a lower one
/// otherwise (throughputs). A goal may also hold an absolute bound on our figure, and a goal with neither is reported
/// only (memory).
/// </summary>
public sealed record Goal(
    string Name, FigureRef Ours, FigureRef? Baseline = null, double? RatioLimit = null, bool RatioAtMost = false,
    Func<double, bool>? Absolute = null, string? AbsoluteText = null)
{
    public string RatioText => RatioLimit is not { } limit ? "—" : $"{(RatioAtMost ? "≤" : "≥")} {limit.ToString("0.0#", CultureInfo.InvariantCulture)} ×";
}

/// <summary>
/// The goals on a 2-core machine, each printed with its measured ratio and the baseline from the same run. The scenarios
/// add the figures named here; a goal whose figures a run did not measure (a smaller mode, --only) says so.
/// </summary>
public static class Goals
{
    public const string Baselines = "0. Baselines";

    public static readonly FigureRef PgbenchSimpleUpdate = new(Baselines, "pgbench -N (simple update, durable commits), 16 clients");
    public static readonly FigureRef PgbenchSelectOnly = new(Baselines, "pgbench -S (select only), 16 clients");
    public static readonly FigureRef RedisGet = new(Baselines, "redis-benchmark GET, 50 clients");
    public static readonly FigureRef RedisXadd = new(Baselines, "redis-benchmark XADD, 50 clients");
    public static readonly FigureRef KestrelGet = new("3. Reads", "baseline: bare Kestrel GET of the same bytes, 64 clients");
    public static readonly FigureRef KestrelPost = new("1. Webhook ingest", "baseline: empty Kestrel POST at saturation");

    public static FigureRef FanoutP99(int connections, bool socketIo) =>
        new("4. Fan-out", $"{connections:N0} connections: p99 at 20,000 deliveries/s, {(socketIo ? "Socket.IO 4.8 bare broadcast" : "Echain full pipeline")}");

    public static FigureRef ConnectJoinPerThousand(bool socketIo) =>
        new("4. Fan-out", $"connect + join, per 1,000 clients, {(socketIo ? "Socket.IO 4.8" : "Echain")}");

    public static readonly IReadOnlyList<Goal> All =
    [
        new("projector, sustained", new("2. Webhook → SignalR client", "projector: events applied/s at saturation (backlog, ingest finished)"),
            PgbenchSimpleUpdate, 1.0, Absolute: v => v >= 5_000, AbsoluteText: "≥ 5,000 events/s"),
        new("webhook → client p99 at 500 events/s", new("2. Webhook → SignalR client", "p99 at 500 events/s"),
            Absolute: v => v <= 50, AbsoluteText: "≤ 50 ms"),
        new("webhook → client p99 at 2,000 events/s", new("2. Webhook → SignalR client", "p99 at 2,000 events/s"),
            Absolute: v => v <= 100, AbsoluteText: "≤ 100 ms"),
        new("fan-out p99, 1,000 connections × 20k deliveries/s", FanoutP99(1_000, socketIo: false), FanoutP99(1_000, socketIo: true), 1.0, RatioAtMost: true),
        new("fan-out p99, 5,000 connections × 20k deliveries/s", FanoutP99(5_000, socketIo: false), FanoutP99(5_000, socketIo: true), 1.0, RatioAtMost: true),
        new("connect + join, per 1,000 clients", ConnectJoinPerThousand(socketIo: false), ConnectJoinPerThousand(socketIo: true), 1.5, RatioAtMost: true),
        new("ingest at saturation", new("1. Webhook ingest", "signed webhooks/s at saturation (64 clients)"), KestrelPost, 0.5),
        new("ingest p99 at 3,000/s", new("1. Webhook ingest", "p99 at 3,000/s"), Absolute: v => v <= 20, AbsoluteText: "≤ 20 ms"),
        new("cached read at saturation", new("3. Reads", "cached GET /api/events/{id}, 64 clients"), KestrelGet, 0.8),
        new("app memory at 5,000 connections: RSS", new("4. Fan-out", "5,000 connections: app RSS")),
        new("app memory at 5,000 connections: managed heap", new("4. Fan-out", "5,000 connections: app managed heap")),
        new("app memory per connection (RSS growth / connections)", new("4. Fan-out", "5,000 connections: app RSS per connection")),
    ];

    /// <summary>The report's first table: every goal with ours, the baseline, the ratio and the verdict.</summary>
    public static string Table(IReadOnlyList<Figure> figures, Func<double, string> num)
    {
        Figure? Find(FigureRef? r) => r is null ? null : figures.FirstOrDefault(f => f.Section == r.Section && f.Name == r.Name);
        var sb = new StringBuilder();
        sb.AppendLine("| Goal | Ours | Baseline (same run) | Ratio | Goal | Verdict |");
        sb.AppendLine("|---|---:|---|---:|---|---|");
        foreach (var goal in All)
        {
            var ours = Find(goal.Ours);
            var baseline = Find(goal.Baseline);
            if (ours is null || goal.Baseline is not null && baseline is null)
            {
                sb.AppendLine($"| {goal.Name} | — | {goal.Baseline?.Name ?? "—"} | — | {Bounds(goal)} | not measured in this mode |");
                continue;
            }
            var ratio = baseline is null || baseline.Median == 0 ? double.NaN : ours.Median / baseline.Median;
            bool? pass = null;
            if (goal.RatioLimit is { } limit) pass = !double.IsNaN(ratio) && (goal.RatioAtMost ? ratio <= limit : ratio >= limit);
            if (goal.Absolute is { } absolute) pass = (pass ?? true) && !double.IsNaN(ours.Median) && absolute(ours.Median);
            var verdict = pass switch { true => "PASS", false => "**FAIL**", null => "reported" };
            sb.AppendLine($"| {goal.Name} | {num(ours.Median)} {ours.Unit} | " +
                          $"{(baseline is null ? "—" : $"{baseline.Name}: {num(baseline.Median)} {baseline.Unit}")} | " +
                          $"{(double.IsNaN(ratio) ? "—" : num(ratio) + " ×")} | {Bounds(goal)} | {verdict} |");
        }
        return sb.ToString();
    }

    private static string Bounds(Goal goal) =>
        string.Join(" and ", new[] { goal.AbsoluteText, goal.RatioLimit is null ? null : goal.RatioText + " baseline" }.OfType<string>()) is { Length: > 0 } text
            ? text
            : "reported";
}
