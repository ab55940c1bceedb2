using System.Globalization;
using System.Net;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.Telemetry;

/// <summary>
/// GET /metrics on a real host: after a signed webhook, a read and a realtime client, every KPI's instrument has moved
/// (histogram counts, counters) or reports (gauges), under the names the dashboard and the README use.
/// </summary>
public sealed class PrometheusMetricsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2027, 6, 1, 19, 0, 0, TimeSpan.Zero);
    private readonly EchainTestHost _host = new();

    public async Task InitializeAsync()
    {
        _host.Settings["Echain:Telemetry:QueueSampleInterval"] = "00:00:00.200";
        await _host.InitializeAsync();
    }

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task A_signed_webhook_moves_every_KPI_histogram_and_the_gauges_report()
    {
        var before = await ScrapeAsync();
        var organizer = await _host.Ledger.NewWalletAsync();
        var created = await _host.Ledger.CreateEventAsync(organizer, "Metrics night", "Counted", Start, Start.AddHours(2), 10, 1_000_000);
        await using var client = await _host.ConnectAsync(null, created.EventId.ToString());
        foreach (var delivery in created.Deliveries)
            Assert.Equal(HttpStatusCode.Accepted, (await _host.Webhooks.SendAsync(delivery)).StatusCode);
        await _host.DrainedAsync();
        using (var read = await _host.Http.GetAsync(_host.Url($"api/events/{created.EventId}"))) Assert.Equal(HttpStatusCode.OK, read.StatusCode);

        string[] moved =
        [
            "echain_webhook_duration_milliseconds_count", "echain_webhook_to_applied_milliseconds_count",
            "echain_realtime_latency_milliseconds_count", "echain_read_duration_milliseconds_count",
            "echain_projection_duration_milliseconds_count", "echain_webhooks_received_total", "echain_cache_reads_total",
            "echain_events_processed_total",
        ];
        Dictionary<string, double> after = [];
        await Eventually.TrueAsync(async () =>
        {
            after = await ScrapeAsync();
            return moved.All(name => Sum(after, name) > Sum(before, name)) && Sum(after, "echain_queue_length") >= 0;
        }, "every KPI instrument to move in /metrics");

        // Both realtime latencies: from the commit and from the webhook's arrival.
        Assert.Contains(after.Keys, k => k.StartsWith("echain_realtime_latency_milliseconds_count{", StringComparison.Ordinal) && k.Contains("from=\"webhook\""));
        Assert.Contains(after.Keys, k => k.StartsWith("echain_realtime_latency_milliseconds_count{", StringComparison.Ordinal) && k.Contains("from=\"commit\""));
        Assert.Contains(after.Keys, k => k.StartsWith("echain_read_duration_milliseconds_count{", StringComparison.Ordinal) && k.Contains("route=\"/api/events/{eventId}\""));
        Assert.True(Sum(after, "echain_realtime_connections") >= 1, "the connected client is not counted");
        foreach (var gauge in new[] { "echain_queue_dead_letters", "echain_queue_oldest_age_seconds", "echain_projector_lag_seconds" })
            Assert.True(after.Keys.Any(k => Name(k) == gauge), $"{gauge} is not exported");
        Assert.True(Sum(after, "echain_webhooks_last_accepted_age_seconds") >= 0, "the accepted webhook's time is not kept");
        Assert.True(Sum(after, "echain_webhook_duration_milliseconds_bucket") > 0);
    }

    private async Task<Dictionary<string, double>> ScrapeAsync()
    {
        using var response = await _host.Http.GetAsync(_host.Url("metrics"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType);
        var series = new Dictionary<string, double>();
        foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n'))
        {
            if (line.Length == 0 || line[0] == '#') continue;
            // "name{labels} value [timestamp]": the value follows the last '}' (or the name), before any timestamp.
            var close = line.LastIndexOf('}');
            var rest = line[(close < 0 ? line.IndexOf(' ') : close + 1)..].Trim().Split(' ');
            series[close < 0 ? line[..line.IndexOf(' ')] : line[..(close + 1)]] = double.Parse(rest[0], CultureInfo.InvariantCulture);
        }
        return series;
    }

    private static string Name(string series) => series.Split('{')[0];

    private static double Sum(Dictionary<string, double> scrape, string name) =>
        scrape.Where(s => Name(s.Key) == name).Sum(s => s.Value);
}
