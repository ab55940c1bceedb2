using Echain.Tests.Web;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Echain.Tests.Api;

/// <summary>
/// The Scalar API reference at /api/docs in headless Chromium: it renders the document's routes, and every request the
/// browser makes (the page, its script, the document, fonts, telemetry if any) goes to the app, none to another host.
/// </summary>
[Trait("Category", "Web")]
public sealed class ApiDocsPageTests(WebAppFixture app, ITestOutputHelper output) : IClassFixture<WebAppFixture>
{
    static ApiDocsPageTests() => SetDefaultExpectTimeout(30_000);

    private void Log(string line)
    {
        try { output.WriteLine(line); } catch (InvalidOperationException) { /* the test has finished */ }
    }

    [Fact]
    public async Task The_reference_renders_the_routes_and_loads_nothing_from_another_host()
    {
        var requests = new List<string>();
        var page = await app.OpenAsync("api/docs", Log, p =>
        {
            p.Request += (_, request) => { lock (requests) requests.Add(request.Url); };
            return Task.CompletedTask;
        });

        await Expect(page.GetByText("Echain API").First).ToBeVisibleAsync();
        var sidebar = page.GetByRole(AriaRole.Complementary, new() { Name = "Sidebar for Echain API" });
        // One section per area (tag), the first opened with its operations listed by method and path.
        foreach (var area in new[] { "Events", "Wallets", "Webhook", "Realtime", "Sign-in", "Operations", "Admin: delivery log", "Admin: dead letters" })
            await Expect(sidebar.GetByRole(AriaRole.Link, new() { Name = area, Exact = true })).ToBeVisibleAsync();
        foreach (var operation in new[] { "get /api/events", "get /api/events/{eventId}", "get /api/events/{eventId}/tickets" })
            await Expect(page.GetByRole(AriaRole.Link, new() { Name = operation, Exact = true }).First).ToBeVisibleAsync();
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        string[] seen;
        lock (requests) seen = [.. requests];
        Log(string.Join("\n", seen));
        Assert.Contains(seen, u => u.EndsWith("/api/docs/scalar.js", StringComparison.Ordinal));
        Assert.Contains(seen, u => u.EndsWith("/api/openapi/v1.json", StringComparison.Ordinal));
        var app_ = app.BaseUrl.GetLeftPart(UriPartial.Authority);
        var elsewhere = seen.Where(u => !u.StartsWith(app_ + "/", StringComparison.Ordinal) && !u.StartsWith("data:", StringComparison.Ordinal)
                                        && !u.StartsWith("blob:", StringComparison.Ordinal)).ToArray();
        Assert.True(elsewhere.Length == 0, "requests to other hosts:\n" + string.Join("\n", elsewhere));
    }
}
