using System.Net;

namespace Echain.Tests.FunctionsHost;

/// <summary>The forwarded GetEventAnalytics and GetUserAnalytics functions answer what the standalone host answers over the same PostgreSQL.</summary>
public sealed class FunctionsAnalyticsTests : TwoHostsOneDatabase
{
    private static readonly DateTimeOffset Start = new(2027, 12, 1, 20, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Both_hosts_answer_the_same_event_and_wallet_analytics_and_the_same_problems()
    {
        var ledger = Standalone.Ledger;
        var (organizer, fan) = (await ledger.NewWalletAsync(), await ledger.NewWalletAsync());
        var created = await ledger.CreateEventAsync(organizer, "Both hosts", "", Start, Start.AddHours(1), 5, 3_000_000);
        var purchase = await ledger.BuyAsync(fan, created.EventId, "GA");
        await Standalone.Webhooks.SendAllAsync([.. created.Deliveries, .. purchase.Deliveries]);
        await Standalone.DrainedAsync();

        foreach (var path in new[] { $"api/events/{created.EventId}/analytics", $"api/users/{fan.Address}/analytics" })
            Assert.Equal((await Standalone.GetJsonAsync(path)).GetRawText(), (await Functions.GetJsonAsync(path)).GetRawText());
        var analytics = await Functions.GetJsonAsync($"api/events/{created.EventId}/analytics");
        Assert.Equal((1L, "3000000"), (analytics.GetProperty("ticketsSold").GetInt64(), analytics.GetProperty("revenue").GetString()));

        foreach (var (path, status) in new[] { ($"api/events/{created.EventId + 1}/analytics", HttpStatusCode.NotFound),
                     ("api/events/x/analytics", HttpStatusCode.BadRequest), ("api/users/nobody/analytics", HttpStatusCode.BadRequest) })
        {
            using var expected = await Standalone.GetAsync(path);
            using var actual = await Functions.GetAsync(path);
            Assert.Equal((status, "application/problem+json"), (actual.StatusCode, actual.Content.Headers.ContentType?.MediaType));
            Assert.Equal(expected.StatusCode, actual.StatusCode);
        }
    }
}
