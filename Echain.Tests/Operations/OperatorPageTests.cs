using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Echain.Core.Telemetry;
using Echain.Demo;
using Echain.Functions.Shared.Apis;
using Echain.Tests.Infrastructure;
using Echain.Tests.Web;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Echain.Tests.Operations;

/// <summary>
/// GET /api/admin/metrics and the page /admin on the real standalone app (Kestrel, PostgreSQL, Redis, anvil) and in
/// headless Chromium: the key is required, a signed webhook shows in the KPIs, every KPI is a tile with its state.
/// </summary>
[Trait("Category", "Web")]
public sealed class OperatorPageTests(WebAppFixture app, ITestOutputHelper output) : IClassFixture<WebAppFixture>
{
    static OperatorPageTests() => SetDefaultExpectTimeout(20_000);

    private void Log(string line)
    {
        try { output.WriteLine(line); } catch (InvalidOperationException) { /* the test has finished */ }
    }

    private Task<HttpResponseMessage> GetMetricsAsync(string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(app.BaseUrl, "api/admin/metrics"));
        if (key is not null) request.Headers.Add(AdminApi.KeyHeader, key);
        return app.Http.SendAsync(request);
    }

    /// <summary>
    /// Ends the current interval now instead of waiting for the reader's 10 s. (The result is every reader's: the
    /// Prometheus one, which is pulled, answers false; the assertions read what the operator's reader exported.)
    /// </summary>
    private void FlushMetrics() => app.Services.GetRequiredService<MeterProvider>().ForceFlush();

    private async Task<JsonElement> MetricsAsync()
    {
        using var response = await GetMetricsAsync(EchainTestHost.AdminKey);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static JsonElement Kpi(JsonElement metrics, string id) =>
        metrics.GetProperty("kpis").EnumerateArray().Single(k => k.GetProperty("id").GetString() == id);

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    public async Task The_metrics_are_refused_without_the_admin_key(string? key)
    {
        using var response = await GetMetricsAsync(key);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("kpis", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_signed_webhook_and_a_refused_one_show_in_the_failure_rate_and_the_refusal_in_recent_failures()
    {
        var created = await app.Ledger.CreateEventAsync(app.Organizer, "Operator night", "", DateTimeOffset.UtcNow.AddDays(9),
            DateTimeOffset.UtcNow.AddDays(9).AddHours(1), 10, 1_000_000);
        await app.SendAsync(created.Deliveries);
        var forged = new WebhookSender(app.Http, new Uri(app.BaseUrl, "api/webhooks/coinbase"), "not-the-secret");
        using (var refused = await forged.SendAsync(Encoding.UTF8.GetBytes("{}"), "operator-forged"))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        FlushMetrics();

        var metrics = await MetricsAsync();
        Assert.Equal(10, metrics.GetProperty("resolutionSeconds").GetInt32());
        Assert.Equal(15, metrics.GetProperty("windowMinutes").GetInt32());
        Assert.Equal(Kpis.All.Select(k => k.Id), metrics.GetProperty("kpis").EnumerateArray().Select(k => k.GetProperty("id").GetString()));
        // Other tests in this process count webhooks too: the refused one makes some interval's failure share positive.
        var failureRate = Kpi(metrics, Kpis.WebhookFailureRate.Id);
        Assert.Contains(failureRate.GetProperty("series").EnumerateArray(), p => p.GetProperty("value").ValueKind == JsonValueKind.Number
            && p.GetProperty("value").GetDouble() > 0);
        Assert.Equal(1.0, failureRate.GetProperty("threshold").GetDouble());
        // The webhook's processing time and the projector's lag are measured from the deliveries just sent.
        foreach (var id in new[] { Kpis.WebhookProcessingTime.Id, Kpis.ProjectorLag.Id })
            Assert.Equal(JsonValueKind.Number, Kpi(metrics, id).GetProperty("value").ValueKind);
        Assert.Equal("above", failureRate.GetProperty("direction").GetString());
        var queue = metrics.GetProperty("queue");
        Assert.True(queue.GetProperty("deadLetters").GetInt64() >= 0);
        // The delivery log is written in batches: the refusal appears once its writer ran.
        await Eventually.TrueAsync(async () => (await MetricsAsync()).GetProperty("recentFailures").EnumerateArray()
            .Any(f => f.GetProperty("status").GetInt32() == 401 && f.GetProperty("outcome").GetString() == "unauthorized"),
            "the refused delivery in recentFailures");
        Assert.DoesNotContain("not-the-secret", (await MetricsAsync()).GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_page_refuses_without_the_key_and_shows_every_KPI_tile_with_a_state_with_it()
    {
        await app.SendAsync((await app.Ledger.CreateEventAsync(app.Organizer, "Operator page", "", DateTimeOffset.UtcNow.AddDays(9),
            DateTimeOffset.UtcNow.AddDays(9).AddHours(1), 10, 1_000_000)).Deliveries);
        FlushMetrics();
        var page = await app.OpenAsync("admin", Log);
        await Expect(page.Locator("#admin-refused")).ToBeVisibleAsync();
        await Expect(page.Locator(".kpi-tile")).ToHaveCountAsync(0);

        await page.FillAsync("#admin-key", "wrong-key");
        await page.ClickAsync("#admin-key-form button");
        await Expect(page.Locator("#admin-refused")).ToContainTextAsync("Refused");
        await Expect(page.Locator(".kpi-tile")).ToHaveCountAsync(0);

        await page.FillAsync("#admin-key", EchainTestHost.AdminKey);
        await page.ClickAsync("#admin-key-form button");
        await Expect(page.Locator(".kpi-tile")).ToHaveCountAsync(Kpis.All.Count);
        foreach (var kpi in Kpis.All)
        {
            var tile = page.Locator($".kpi-tile[data-kpi='{kpi.Id}']");
            await Expect(tile).ToHaveAttributeAsync("data-state", new System.Text.RegularExpressions.Regex("^(green|amber|red|no-data)$"));
            await Expect(tile.Locator("svg.kpi-chart")).ToHaveCountAsync(1);
        }
        foreach (var measured in new[] { Kpis.WebhookFailureRate, Kpis.WebhookProcessingTime })
            await Expect(page.Locator($".kpi-tile[data-kpi='{measured.Id}']")).Not.ToHaveAttributeAsync("data-state", "no-data");
        await Expect(page.Locator("#queue-dead-letters")).ToBeVisibleAsync();
        Assert.Equal(EchainTestHost.AdminKey, await page.EvaluateAsync<string>("() => sessionStorage.getItem('echain-admin-key')"));
        var screenshot = Path.Combine(AppContext.BaseDirectory, "artifacts", "operator-page.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        Log($"screenshot: {screenshot}");
        await page.CloseAsync();
    }
}
