using System.Text.Json.Nodes;
using Echain.Core.Telemetry;
using Echain.Tests.FunctionsHost;

namespace Echain.Tests.Infra;

/// <summary>
/// infra/grafana/echain.json imports as is (its Prometheus is an input) and has a panel per figure of <see cref="Kpis.All"/>,
/// titled as the figure, with the figure's threshold as its threshold line, querying the figure's metrics by their
/// Prometheus names (the exporter's naming: dots to underscores, the unit's word as a suffix, counters end in _total).
/// </summary>
public sealed class GrafanaDashboardTests
{
    /// <summary>The Prometheus name of each instrument a figure is computed from.</summary>
    private static readonly Dictionary<string, string> PrometheusNames = new()
    {
        ["echain.webhook.duration"] = "echain_webhook_duration_milliseconds_bucket",
        ["echain.realtime.connections"] = "echain_realtime_connections",
        ["echain.cache.reads"] = "echain_cache_reads_total",
        ["echain.read.duration"] = "echain_read_duration_milliseconds_bucket",
        ["echain.webhooks.received"] = "echain_webhooks_received_total",
        ["echain.queue.dead_letters"] = "echain_queue_dead_letters",
        ["echain.events.dead_lettered"] = "echain_events_dead_lettered_total",
        ["echain.projector.lag"] = "echain_projector_lag_seconds",
        ["echain.webhooks.last_accepted_age"] = "echain_webhooks_last_accepted_age_seconds",
        ["echain.reconcile.healed"] = "echain_reconcile_healed_total",
        ["echain.cdp.health_updates"] = "echain_cdp_health_updates_total",
    };

    private static readonly JsonNode Dashboard =
        JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryFiles.Root, "infra", "grafana", "echain.json")))!;

    public static TheoryData<string> KpiIds => new(Kpis.All.Select(k => k.Id));

    [Fact]
    public void The_datasource_is_an_import_input_that_every_panel_and_query_uses()
    {
        var input = Dashboard["__inputs"]!.AsArray().Single()!;
        Assert.Equal("DS_PROMETHEUS", input["name"]!.GetValue<string>());
        Assert.Equal("prometheus", input["pluginId"]!.GetValue<string>());
        foreach (var panel in Panels())
        {
            Assert.Equal("${DS_PROMETHEUS}", panel["datasource"]!["uid"]!.GetValue<string>());
            Assert.All(panel["targets"]!.AsArray(), t => Assert.Equal("${DS_PROMETHEUS}", t!["datasource"]!["uid"]!.GetValue<string>()));
        }
        Assert.Equal(Panels().Count, Panels().Select(p => p["id"]!.GetValue<int>()).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(KpiIds))]
    public void Each_figure_has_its_panel_with_the_threshold_line_and_its_metrics(string id)
    {
        var kpi = Kpis.All.Single(k => k.Id == id);
        var panel = Panels().SingleOrDefault(p => p["title"]!.GetValue<string>() == kpi.Title)
            ?? throw new Xunit.Sdk.XunitException($"no panel titled \"{kpi.Title}\"");

        var defaults = panel["fieldConfig"]!["defaults"]!;
        Assert.Equal("line", defaults["custom"]!["thresholdsStyle"]!["mode"]!.GetValue<string>());
        var steps = defaults["thresholds"]!["steps"]!.AsArray();
        var line = steps.Single(s => s!["value"] is not null)!;
        Assert.Equal(kpi.Threshold, line["value"]!.GetValue<double>());
        // Red past the line: above it for latencies and failures, below it for the hit rate.
        var red = kpi.Direction == KpiDirection.AlertAbove ? line : steps.Single(s => s!["value"] is null)!;
        Assert.Equal("red", red["color"]!.GetValue<string>());

        var queries = string.Join('\n', panel["targets"]!.AsArray().Select(t => t!["expr"]!.GetValue<string>()));
        foreach (var metric in kpi.Metrics)
        {
            Assert.True(PrometheusNames.TryGetValue(metric, out var name), $"no Prometheus name known for {metric}");
            Assert.Contains(name, queries);
        }
    }

    private static List<JsonNode> Panels() => Dashboard["panels"]!.AsArray().Select(p => p!).ToList();
}
