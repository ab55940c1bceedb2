using System.Net;
using System.Text.Json.Nodes;

namespace Echain.Tests.FunctionsHost;

/// <summary>
/// The Functions host serves the resume routes (forwarded, the shared endpoints) and prunes with its timer, over the
/// same PostgreSQL history a standalone instance writes.
/// </summary>
public sealed class FunctionsRealtimeHistoryTests : TwoHostsOneDatabase
{
    private static readonly DateTimeOffset Start = new(2027, 8, 1, 20, 0, 0, TimeSpan.Zero);

    protected override void Configure(IDictionary<string, string?> settings)
    {
        // Two messages kept, whatever their age: the timer's pass is visible at once.
        settings["Echain:Realtime:HistoryCount"] = "2";
        settings["Echain:Realtime:HistoryAge"] = "00:00:00";
        settings["Echain:Realtime:PruneInterval"] = "1.00:00:00"; // only the Functions timer prunes here
    }

    protected override bool FunctionsShareSettings => true;

    [Fact]
    public async Task The_resume_routes_answer_the_same_and_the_PruneRealtimeHistory_timer_prunes()
    {
        var organizer = await Standalone.Ledger.NewWalletAsync();
        var created = await Standalone.Ledger.CreateEventAsync(organizer, "Both hosts", "", Start, Start.AddHours(1), 5, 1);
        await Standalone.Webhooks.SendAllAsync(created.Deliveries);
        await Standalone.UpdateEventRepeatedlyAsync(organizer, created.EventId, 4, "Both hosts ", Start, 1);
        var path = $"api/realtime/groups/{created.EventId}/messages";
        Assert.Equal((await Standalone.GetJsonAsync($"{path}?after=0")).GetRawText(), (await Functions.GetJsonAsync($"{path}?after=0")).GetRawText());
        Assert.Equal(5, (await Functions.GetJsonAsync(path)).GetProperty("latest").GetInt64());
        using (var beyond = await Functions.GetAsync($"{path}?after=6"))
            Assert.Equal((HttpStatusCode.Gone, "application/problem+json"), (beyond.StatusCode, beyond.Content.Headers.ContentType?.MediaType));
        using (var anonymous = await Functions.GetAsync("api/realtime/me/messages"))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        var tick = await Functions.InvokeAsync("PruneRealtimeHistory",
            new JsonObject { ["timer"] = new JsonObject { ["IsPastDue"] = false } },
            new JsonObject { ["sys"] = new JsonObject { ["MethodName"] = "PruneRealtimeHistory", ["UtcNow"] = DateTime.UtcNow.ToString("s") } });
        Assert.Equal(HttpStatusCode.OK, tick.Status);
        Assert.Contains("3 messages pruned", tick.Text);
        using (var gone = await Functions.GetAsync($"{path}?after=0"))
            Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        var kept = await Standalone.GetJsonAsync($"{path}?after=3");
        Assert.Equal(new long[] { 4, 5 }, kept.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()));
    }
}
