using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json.Nodes;
using Echain.Core.Realtime;
using Echain.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Echain.Tests.Web;

/// <summary>
/// The page's side of seq in headless Chromium: a duplicate is applied once, and after the app restarts the page
/// catches up from the resume endpoint instead of refetching everything.
/// </summary>
[Trait("Category", "Web")]
public sealed class RealtimeContinuityPageTests(WebAppFixture app, ITestOutputHelper output) : IClassFixture<WebAppFixture>
{
    static RealtimeContinuityPageTests() => SetDefaultExpectTimeout(20_000);

    private static readonly DateTimeOffset Start = DateTimeOffset.UtcNow.AddDays(40);

    // Counts the page's reads of the read APIs as they are issued, and every message the page applies.
    private const string Probe = """
        window.__reads = 0; window.__applied = [];
        const realFetch = window.fetch;
        window.fetch = (input, init) => {
          const url = String(input?.url ?? input);
          if (/\/api\/(events|users)(\/|\?|$)/.test(url)) window.__reads++;
          return realFetch(input, init);
        };
        addEventListener("echain:message", (e) => window.__applied.push(`${e.detail.payload.stream}#${e.detail.payload.seq}`));
        """;

    private void Log(string line)
    {
        try { output.WriteLine(line); } catch (InvalidOperationException) { /* the test has finished */ }
    }

    private async Task<IPage> OpenProbedAsync(string path)
    {
        var page = await app.Browser.NewPageAsync();
        page.Console += (_, message) => Log($"[browser {message.Type}] {message.Text}");
        await page.AddInitScriptAsync(Probe);
        await page.GotoAsync(new Uri(app.BaseUrl, path).ToString());
        return page;
    }

    private async Task<BigInteger> CreateEventAsync(string title)
    {
        var created = await app.Ledger.CreateEventAsync(app.Organizer, title, "Continuity", Start, Start.AddHours(3), 10, 1_000_000);
        await app.SendAsync(created.Deliveries);
        return created.EventId;
    }

    private async Task BuyAsync(BigInteger eventId) =>
        await app.SendAsync((await app.Ledger.BuyAsync(await app.Ledger.NewWalletAsync(), eventId, "GA")).Deliveries);

    [Fact]
    public async Task A_duplicate_publish_of_the_same_seq_is_applied_once()
    {
        var eventId = await CreateEventAsync("Twice Told");
        var page = await OpenProbedAsync($"events/{eventId}");
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "connected");
        await BuyAsync(eventId);
        await Expect(page.Locator("#sold-count")).ToHaveTextAsync("1");
        await app.DrainedAsync();

        // The newest message of the group, published twice more exactly as stored (same seq): a redelivery.
        var stream = RealtimeTargets.EventGroup(eventId.ToString());
        var history = await app.Http.GetFromJsonAsync<JsonObject>(new Uri(app.BaseUrl, $"api/realtime/groups/{eventId}/messages?after=0"));
        var last = history!["messages"]!.AsArray()[^1]!;
        var copy = new RealtimeMessage(last["target"]!.GetValue<string>(), last["payload"]!.AsObject(), stream, null);
        await Eventually.TrueAsync(async () => await page.EvaluateAsync<bool>($"() => window.__applied.includes('{stream}#{copy.Seq}')"),
            "the page to apply the newest message");
        var publisher = app.Services.GetRequiredService<IRealtimePublisher>();
        await publisher.PublishAsync([copy, copy], default);

        // A new change after the duplicates: once it is applied, the duplicates (sent before it on the same connection) were seen.
        await BuyAsync(eventId);
        await Expect(page.Locator("#sold-count")).ToHaveTextAsync("2");
        await app.DrainedAsync();
        var latest = (await app.Http.GetFromJsonAsync<JsonObject>(new Uri(app.BaseUrl, $"api/realtime/groups/{eventId}/messages")))!["latest"]!.GetValue<long>();
        await Eventually.TrueAsync(async () => await page.EvaluateAsync<bool>($"() => window.__applied.includes('{stream}#{latest}')"),
            "the page to apply the newest message");

        var applied = (await page.EvaluateAsync<string[]>("() => window.__applied")).Where(a => a.StartsWith(stream + "#")).ToArray();
        Assert.Equal(applied.Distinct(), applied); // once each
        var seqs = applied.Select(a => long.Parse(a[(stream.Length + 1)..])).ToArray();
        Assert.Equal(Enumerable.Range((int)seqs[0], seqs.Length).Select(i => (long)i), seqs); // in order, no gap
        Assert.Equal(latest, seqs[^1]);
        await page.CloseAsync();
    }

    [Fact]
    public async Task After_a_restart_the_page_resumes_what_it_missed_without_refetching_everything()
    {
        var eventId = await CreateEventAsync("Back Again");
        await BuyAsync(eventId);
        await app.WaitForSoldAsync(eventId, 1);
        await app.DrainedAsync();
        var page = await OpenProbedAsync($"events/{eventId}");
        await Expect(page.Locator("#sold-count")).ToHaveTextAsync("1");
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "connected");
        var resumes = new List<(string Url, int Status)>();
        page.Response += (_, r) => { if (r.Url.Contains("/messages?after=")) lock (resumes) resumes.Add((r.Url, r.Status)); };

        // Nothing happens while the app is down: the reconnect reads no read API at all.
        var readsBefore = await page.EvaluateAsync<int>("() => window.__reads");
        await app.RestartAsync(() => Expect(page.Locator("#connection")).ToContainTextAsync("Reconnecting"));
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-resumes", "1", new() { Timeout = 60_000 });
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-resume", "resumed");
        Assert.Equal(readsBefore, await page.EvaluateAsync<int>("() => window.__reads"));

        // A purchase applied by another instance while this one is down: resumed, shown, marked as missed.
        var missed = await app.Ledger.BuyAsync(await app.Ledger.NewWalletAsync(), eventId, "Late");
        await app.RestartAsync(async () =>
        {
            await Expect(page.Locator("#connection")).ToContainTextAsync("Reconnecting");
            await app.WithOtherInstanceAsync(async other =>
            {
                await app.SendAsync(other, missed.Deliveries);
                await app.WaitForSoldAsync(eventId, 2, other);
            });
        });
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-resumes", "2", new() { Timeout = 60_000 });
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-resume", "resumed");
        await Expect(page.Locator("#sold-count")).ToHaveTextAsync("2");
        await Expect(page.Locator($"#tickets-table tr[data-token-id='{missed.TokenId}']")).ToContainTextAsync("Late");
        await Expect(page.Locator("#activity-feed li").First).ToContainTextAsync("while you were offline");
        lock (resumes)
        {
            Assert.Contains(resumes, r => r.Url.Contains($"/api/realtime/groups/{eventId}/messages?after=") && r.Status == 200);
            Assert.DoesNotContain(resumes, r => r.Status == 410);
        }
        await page.CloseAsync();
    }
}
