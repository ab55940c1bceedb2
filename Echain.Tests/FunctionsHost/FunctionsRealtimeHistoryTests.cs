using System.Net;
using System.Text.Json.Nodes;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.FunctionsHost;

/// <summary>
/// The Functions host serves the resume routes (forwarded, the shared endpoints) and prunes with its timer, over the
/// same PostgreSQL history a standalone instance writes.
/// </summary>
public sealed class FunctionsRealtimeHistoryTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2027, 8, 1, 20, 0, 0, TimeSpan.Zero);
    private readonly EchainTestHost _standalone = new();
    private FunctionsTestHost _functions = null!;

    public async Task InitializeAsync()
    {
        // Two messages kept, whatever their age: the timer's pass is visible at once.
        _standalone.Settings["Echain:Realtime:HistoryCount"] = "2";
        _standalone.Settings["Echain:Realtime:HistoryAge"] = "00:00:00";
        _standalone.Settings["Echain:Realtime:PruneInterval"] = "1.00:00:00"; // only the Functions timer prunes here
        await _standalone.InitializeAsync();
        _functions = new FunctionsTestHost();
        foreach (var (key, value) in _standalone.Settings) _functions.Settings[key] = value;
        _functions.Settings["ConnectionStrings:Postgres"] = _standalone.Postgres.ConnectionString(_standalone.DatabaseName);
        await _functions.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _functions.DisposeAsync();
        await _standalone.DisposeAsync();
    }

    [Fact]
    public async Task The_resume_routes_answer_the_same_and_the_PruneRealtimeHistory_timer_prunes()
    {
        var organizer = await _standalone.Ledger.NewWalletAsync();
        var created = await _standalone.Ledger.CreateEventAsync(organizer, "Both hosts", "", Start, Start.AddHours(1), 5, 1);
        await _standalone.Webhooks.SendAllAsync(created.Deliveries);
        await _standalone.UpdateEventRepeatedlyAsync(organizer, created.EventId, 4, "Both hosts ", Start, 1);
        var path = $"api/realtime/groups/{created.EventId}/messages";
        Assert.Equal((await _standalone.GetJsonAsync($"{path}?after=0")).GetRawText(), (await _functions.GetJsonAsync($"{path}?after=0")).GetRawText());
        Assert.Equal(5, (await _functions.GetJsonAsync(path)).GetProperty("latest").GetInt64());
        using (var beyond = await _functions.GetAsync($"{path}?after=6"))
            Assert.Equal((HttpStatusCode.Gone, "application/problem+json"), (beyond.StatusCode, beyond.Content.Headers.ContentType?.MediaType));
        using (var anonymous = await _functions.GetAsync("api/realtime/me/messages"))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

        var tick = await _functions.InvokeAsync("PruneRealtimeHistory",
            new JsonObject { ["timer"] = new JsonObject { ["IsPastDue"] = false } },
            new JsonObject { ["sys"] = new JsonObject { ["MethodName"] = "PruneRealtimeHistory", ["UtcNow"] = DateTime.UtcNow.ToString("s") } });
        Assert.Equal(HttpStatusCode.OK, tick.Status);
        Assert.Contains("3 messages pruned", tick.Text);
        using (var gone = await _functions.GetAsync($"{path}?after=0"))
            Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        var kept = await _standalone.GetJsonAsync($"{path}?after=3");
        Assert.Equal(new long[] { 4, 5 }, kept.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()));
    }
}
