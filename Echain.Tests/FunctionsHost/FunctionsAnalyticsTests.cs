using System.Net;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.FunctionsHost;

/// <summary>The forwarded GetEventAnalytics and GetUserAnalytics functions answer what the standalone host answers over the same PostgreSQL.</summary>
public sealed class FunctionsAnalyticsTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2027, 12, 1, 20, 0, 0, TimeSpan.Zero);
    private readonly EchainTestHost _standalone = new();
    private FunctionsTestHost _functions = null!;

    public async Task InitializeAsync()
    {
        await _standalone.InitializeAsync();
        _functions = new FunctionsTestHost();
        _functions.Settings["ConnectionStrings:Postgres"] = _standalone.Postgres.ConnectionString(_standalone.DatabaseName);
        await _functions.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _functions.DisposeAsync();
        await _standalone.DisposeAsync();
    }

    [Fact]
    public async Task Both_hosts_answer_the_same_event_and_wallet_analytics_and_the_same_problems()
    {
        var ledger = _standalone.Ledger;
        var (organizer, fan) = (await ledger.NewWalletAsync(), await ledger.NewWalletAsync());
        var created = await ledger.CreateEventAsync(organizer, "Both hosts", "", Start, Start.AddHours(1), 5, 3_000_000);
        var purchase = await ledger.BuyAsync(fan, created.EventId, "GA");
        await _standalone.Webhooks.SendAllAsync([.. created.Deliveries, .. purchase.Deliveries]);
        await _standalone.DrainedAsync();

        foreach (var path in new[] { $"api/events/{created.EventId}/analytics", $"api/users/{fan.Address}/analytics" })
            Assert.Equal((await _standalone.GetJsonAsync(path)).GetRawText(), (await _functions.GetJsonAsync(path)).GetRawText());
        var analytics = await _functions.GetJsonAsync($"api/events/{created.EventId}/analytics");
        Assert.Equal((1L, "3000000"), (analytics.GetProperty("ticketsSold").GetInt64(), analytics.GetProperty("revenue").GetString()));

        foreach (var (path, status) in new[] { ($"api/events/{created.EventId + 1}/analytics", HttpStatusCode.NotFound),
                     ("api/events/x/analytics", HttpStatusCode.BadRequest), ("api/users/nobody/analytics", HttpStatusCode.BadRequest) })
        {
            using var expected = await _standalone.GetAsync(path);
            using var actual = await _functions.GetAsync(path);
            Assert.Equal((status, "application/problem+json"), (actual.StatusCode, actual.Content.Headers.ContentType?.MediaType));
            Assert.Equal(expected.StatusCode, actual.StatusCode);
        }
    }
}
