using System.Net;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.EndToEnd;

/// <summary>The standalone pruner with a tiny history: a resume position it no longer covers is 410, and the newest are kept.</summary>
public sealed class RealtimeHistoryPruningTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2027, 7, 1, 20, 0, 0, TimeSpan.Zero);
    private readonly EchainTestHost _host = new();

    public async Task InitializeAsync()
    {
        _host.Settings["Echain:Realtime:HistoryCount"] = "3";
        _host.Settings["Echain:Realtime:HistoryAge"] = "00:00:00";
        _host.Settings["Echain:Realtime:PruneInterval"] = "00:00:00.200";
        await _host.InitializeAsync();
    }

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task A_position_older_than_the_kept_history_is_410_and_the_last_HistoryCount_remain()
    {
        var organizer = await _host.Ledger.NewWalletAsync();
        var created = await _host.Ledger.CreateEventAsync(organizer, "Short memory", "", Start, Start.AddHours(1), 5, 1);
        await _host.Webhooks.SendAllAsync(created.Deliveries);
        await _host.UpdateEventRepeatedlyAsync(organizer, created.EventId, 6, "Short memory ", Start, 1);
        var path = $"api/realtime/groups/{created.EventId}/messages";
        var latest = (await _host.GetJsonAsync(path)).GetProperty("latest").GetInt64();
        Assert.Equal(7, latest);

        // The pruner runs every 200 ms: once it has, seq 4 is gone, so after=3 cannot be answered.
        await Eventually.TrueAsync(async () =>
        {
            using var response = await _host.GetAsync($"{path}?after=3");
            return response.StatusCode == HttpStatusCode.Gone;
        }, "the pruner to drop what is beyond the last 3");
        using (var gone = await _host.GetAsync($"{path}?after=0"))
        {
            Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
            Assert.Equal("application/problem+json", gone.Content.Headers.ContentType?.MediaType);
        }
        var kept = await _host.GetJsonAsync($"{path}?after=4");
        Assert.Equal(new long[] { 5, 6, 7 }, kept.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("seq").GetInt64()));
    }
}
