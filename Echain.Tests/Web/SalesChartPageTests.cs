using System.Numerics;
using Echain.Core.Reads;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Echain.Tests.Web;

/// <summary>The event page's analytics in headless Chromium: the sales-per-hour chart, its figures as text, and a live update.</summary>
[Trait("Category", "Web")]
public sealed class SalesChartPageTests(WebAppFixture app, ITestOutputHelper output) : IClassFixture<WebAppFixture>
{
    static SalesChartPageTests() => SetDefaultExpectTimeout(20_000);

    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddDays(30);

    private void Log(string line)
    {
        try { output.WriteLine(line); } catch (InvalidOperationException) { /* the test has finished */ }
    }

    private async Task BuyAsync(BigInteger eventId) =>
        await app.SendAsync((await app.Ledger.BuyAsync(await app.Ledger.NewWalletAsync(), eventId, "General")).Deliveries);

    /// <summary>The sum of the bars' ticket counts, as drawn.</summary>
    private static Task<int> TicketsInBarsAsync(Microsoft.Playwright.IPage page) =>
        page.EvaluateAsync<int>("() => [...document.querySelectorAll('#sales-chart rect.bar')].reduce((n, r) => n + Number(r.dataset.tickets), 0)");

    [Fact]
    public async Task The_event_page_charts_sales_per_hour_with_the_figures_as_text_and_follows_a_purchase_without_reload()
    {
        var created = await app.Ledger.CreateEventAsync(app.Organizer, "Chart night", "Bars for every hour.", Start, Start.AddHours(2), 50, 4_000_000);
        await app.SendAsync(created.Deliveries);
        await BuyAsync(created.EventId);
        await BuyAsync(created.EventId);
        await app.WaitForSoldAsync(created.EventId, 2);

        var page = await app.OpenAsync($"events/{created.EventId}", Log);
        var chart = page.Locator("svg#sales-chart");
        await Expect(chart).ToBeVisibleAsync();
        await Expect(chart).ToHaveAttributeAsync("role", "img");
        await Expect(page.GetByRole(Microsoft.Playwright.AriaRole.Img, new() { Name = "Tickets sold per hour, last 7 days" })).ToBeVisibleAsync();
        await Expect(page.Locator("#sales-chart-total")).ToHaveTextAsync("2");
        await Expect(page.Locator("#sales-chart-summary")).ToContainTextAsync("2 tickets sold in the last 7 days (8 USDC)");
        await Expect(page.Locator("#sales-chart-desc")).ToContainTextAsync("2 tickets sold in the last 7 days");
        await Expect(page.Locator("#analytics-sold")).ToHaveTextAsync("2");
        await Expect(page.Locator("#analytics-revenue")).ToHaveTextAsync("8 USDC");
        // The purchases are in the newest bar (anvil's clock is the wall clock), or the two newest when an hour began between them.
        var bars = chart.Locator("rect.bar");
        Assert.Equal(2, await TicketsInBarsAsync(page));
        var newest = bars.Last;
        var hour = DateTimeOffset.Parse((await newest.GetAttributeAsync("data-hour"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(hour >= AnalyticsWindow.CurrentHour(DateTimeOffset.UtcNow).AddHours(-1), $"the newest bar is this hour: {hour:O}");
        var box = await newest.BoundingBoxAsync();
        Assert.True(box is { Height: > 10 }, $"the bar is drawn: {box?.Height}");

        // A purchase arrives: the chart's text and bar follow without a reload.
        await BuyAsync(created.EventId);
        await Expect(page.Locator("#sales-chart-total")).ToHaveTextAsync("3");
        await Expect(page.Locator("#analytics-sold")).ToHaveTextAsync("3");
        Assert.Equal(3, await TicketsInBarsAsync(page));
        Assert.Equal(await bars.CountAsync(), await page.Locator("#sales-table tbody tr").CountAsync()); // one row per bar, as text
        var screenshot = Path.Combine(AppContext.BaseDirectory, "artifacts", "sales-chart.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.Locator("#analytics-heading").ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        Log($"screenshot: {screenshot}");
        await page.CloseAsync();
    }
}
