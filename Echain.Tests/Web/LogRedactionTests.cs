using System.Text.Json;
using System.Web;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Echain.Tests.Web;

/// <summary>
/// A whole browser session (negotiate naming the event's group, WebSocket with access_token in its URL, the proof it
/// receives, the resume baseline, a live message) at the app's shipped log levels: none of the tokens or connection ids the page used is in the log.
/// </summary>
[Trait("Category", "Web")]
public sealed class LogRedactionTests(LoggedWebAppFixture app, ITestOutputHelper output) : IClassFixture<LoggedWebAppFixture>
{
    static LogRedactionTests() => SetDefaultExpectTimeout(20_000);

    [Fact]
    public async Task No_token_or_connection_id_of_a_browser_session_is_logged()
    {
        var start = DateTimeOffset.UtcNow.AddDays(30);
        var created = await app.Ledger.CreateEventAsync(app.Organizer, "Quiet Logs", "x", start, start.AddHours(2), 10, 1);
        await app.SendAsync(created.Deliveries);
        await app.WaitForSoldAsync(created.EventId, 0);

        var page = await app.Browser.NewPageAsync();
        var requests = new List<IRequest>();
        var responses = new List<IResponse>();
        page.Request += (_, request) => { lock (requests) requests.Add(request); };
        page.Response += (_, response) => { lock (responses) responses.Add(response); };
        var sockets = new List<string>(); // WebSocket URLs carry id= and access_token=; Playwright reports them apart
        var frames = new List<string>(); // the connection-proof arrives over the socket
        page.WebSocket += (_, socket) =>
        {
            lock (sockets) sockets.Add(socket.Url);
            socket.FrameReceived += (_, frame) => { if (frame.Text is { } text) lock (frames) frames.Add(text); };
        };
        page.Console += (_, message) => Log($"[browser {message.Type}] {message.Text}");
        await page.GotoAsync(new Uri(app.BaseUrl, $"events/{created.EventId}").ToString());
        await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "connected");
        var purchase = await app.Ledger.BuyAsync(await app.Ledger.NewWalletAsync(), created.EventId, "General");
        await app.SendAsync(purchase.Deliveries);
        await Expect(page.Locator("#sold-count")).ToHaveTextAsync("1"); // received live, through the joined group
        await app.DrainedAsync();

        var secrets = new List<(string Secret, string Kind)>();
        void Add(string kind, string? value)
        {
            if (!string.IsNullOrEmpty(value)) secrets.Add((value, kind));
        }
        foreach (var url in Snapshot(requests).Select(r => r.Url).Concat(Snapshot(sockets)))
        {
            var query = HttpUtility.ParseQueryString(new Uri(url).Query);
            Add("transport id", query["id"]);
            Add("access_token", query["access_token"]);
        }
        foreach (var request in Snapshot(requests))
        {
            if (request.Url.Contains("/api/realtime/groups/") && request.PostData is { } body)
            {
                var membership = JsonDocument.Parse(body).RootElement;
                Add("connection id", membership.GetProperty("connectionId").GetString());
                Add("proof", membership.GetProperty("proof").GetString());
            }
        }
        // SignalR's JSON protocol: records separated by 0x1E; type 1 is an invocation.
        foreach (var record in Snapshot(frames).SelectMany(f => f.Split('\u001e', StringSplitOptions.RemoveEmptyEntries)))
        {
            var message = JsonDocument.Parse(record).RootElement;
            if (message.TryGetProperty("target", out var target) && target.GetString() == "connection-proof")
            {
                var proof = message.GetProperty("arguments")[0];
                Add("connection id", proof.GetProperty("connectionId").GetString());
                Add("proof", proof.GetProperty("proof").GetString());
            }
        }
        foreach (var response in Snapshot(responses).Where(r => r.Url.Contains("negotiate") && r.Status == 200))
        {
            var answer = JsonDocument.Parse(await response.TextAsync()).RootElement;
            foreach (var name in new[] { "accessToken", "connectionId", "connectionToken" })
                if (answer.TryGetProperty(name, out var value)) Add(name, value.GetString());
        }
        await page.CloseAsync();

        // The page named its event at negotiate (the standalone hub joined it before the proof): no HTTP join.
        Assert.Contains(Snapshot(requests), r => r.Url.Contains($"/api/negotiate?events={created.EventId}&"));
        Assert.DoesNotContain(Snapshot(requests), r => r.Method == "POST" && r.Url.EndsWith($"/api/realtime/groups/{created.EventId}"));

        // The session really used every kind of secret, and the log really has the session's requests.
        Assert.Superset(new HashSet<string> { "accessToken", "access_token", "connectionId", "connectionToken", "transport id", "proof" },
            secrets.Select(s => s.Kind).ToHashSet());
        var log = app.Log.Text;
        Assert.Contains("Path: /api/negotiate", log);
        Assert.Contains("Path: /hubs/echain", log);
        Assert.Contains("Path: /api/realtime/groups/", log); // the baseline read
        foreach (var (secret, kind) in secrets)
            Assert.False(log.Contains(secret, StringComparison.Ordinal), $"the log contains a {kind}");
        Log($"{app.Log.Lines.Count} log lines checked against {secrets.Count} tokens and ids");
    }

    private static T[] Snapshot<T>(List<T> items)
    {
        lock (items) return items.ToArray();
    }

    private void Log(string line)
    {
        try { output.WriteLine(line); } catch (InvalidOperationException) { /* the test has finished */ }
    }
}
