using System.Net;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Echain.Core.Reads;
using Echain.Demo.Chain;
using Echain.Functions.Shared.OpenApi;
using Echain.Tests.Api;
using Echain.Tests.Infrastructure;
using Nethereum.Hex.HexTypes;

namespace Echain.Tests.Reads;

/// <summary>
/// The analytics reads on the real standalone host, over transactions on its node: every figure equals what happened on
/// chain, and a read made on receipt of each change's realtime message (the cache warmed with the old value first) shows it.
/// </summary>
public sealed class AnalyticsTests(EchainTestHost host) : IClassFixture<EchainTestHost>
{
    private const long Usdc = 1_000_000;
    private static readonly DateTimeOffset Start = new(2027, 10, 1, 19, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Every_figure_follows_purchases_a_resale_a_check_in_and_an_update_right_after_each_is_applied()
    {
        var ledger = host.Ledger;
        var (organizer, alice, bob, carol) =
            (await ledger.NewWalletAsync(), await ledger.NewWalletAsync(), await ledger.NewWalletAsync(), await ledger.NewWalletAsync());
        // Blocks five and two hours back (anvil's clock set back), a minute into the hour so each phase stays in it.
        var now = DateTimeOffset.UtcNow;
        var earlier = AnalyticsWindow.CurrentHour(now).AddHours(-5).AddMinutes(1);
        var later = AnalyticsWindow.CurrentHour(now).AddHours(-2).AddMinutes(1);
        try
        {
            await SetChainTimeAsync(earlier);
            var created = await ledger.CreateEventAsync(organizer, "Analytics night", "Hall", Start, Start.AddHours(3), 10, 5 * Usdc);
            var eventId = created.EventId.ToString();
            var path = $"api/events/{eventId}/analytics";
            await host.Webhooks.SendAllAsync(created.Deliveries);
            await host.DrainedAsync();
            await using var watcher = await host.ConnectAsync(null, eventId);

            var empty = await WarmAsync(path);
            AssertFigures(empty, sold: 0, available: "10", revenue: "0", resales: 0, holders: 0, checkIns: 0, rate: 0);
            Assert.Equal(AnalyticsWindow.Hours, empty.GetProperty("salesPerHour").GetArrayLength());
            Assert.All(empty.GetProperty("salesPerHour").EnumerateArray(), b => Assert.Equal(0, b.GetProperty("tickets").GetInt64()));

            // Alice buys in the earlier hour.
            await WarmAsync($"api/users/{alice.Address}/analytics");
            var first = await ledger.BuyAsync(alice, created.EventId, "GA");
            await host.Webhooks.SendAllAsync(first.Deliveries);
            await watcher.WaitForAsync("ticket-purchased", p => p.GetProperty("ticketId").GetString() == first.TokenId.ToString());
            AssertFigures(await host.GetJsonAsync(path), sold: 1, available: "9", revenue: "5000000", resales: 0, holders: 1, checkIns: 0, rate: 0);
            AssertUser(await host.GetJsonAsync($"api/users/{alice.Address}/analytics"), held: 1, attended: 0, spent: "5000000");

            // The organizer raises the price; Bob buys twice in the later hour, at the old and the new price.
            await SetChainTimeAsync(later);
            var second = await ledger.BuyAsync(bob, created.EventId, "GA");
            await host.Webhooks.SendAllAsync(second.Deliveries);
            await watcher.WaitForAsync("ticket-purchased", p => p.GetProperty("ticketId").GetString() == second.TokenId.ToString());
            await WarmAsync(path);
            var update = await ledger.UpdateEventAsync(organizer, created.EventId, "Analytics night", "Hall", Start, Start.AddHours(3), 7 * Usdc);
            await host.Webhooks.SendAllAsync(update.Deliveries);
            await watcher.WaitForAsync("event-updated", p => p.GetRawText().Contains("ticketPrice"));
            AssertFigures(await host.GetJsonAsync(path), sold: 2, available: "8", revenue: "10000000", resales: 0, holders: 2, checkIns: 0, rate: 0);
            await WarmAsync(path);
            var third = await ledger.BuyAsync(bob, created.EventId, "VIP");
            Assert.Equal(7 * Usdc, third.Price);
            await host.Webhooks.SendAllAsync(third.Deliveries);
            await watcher.WaitForAsync("ticket-purchased", p => p.GetProperty("ticketId").GetString() == third.TokenId.ToString());
            AssertFigures(await host.GetJsonAsync(path), sold: 3, available: "7", revenue: "17000000", resales: 0, holders: 2, checkIns: 0, rate: 0);

            // Alice resells her ticket to Carol: a resale, and Alice no longer holds one.
            await WarmAsync(path);
            await WarmAsync($"api/users/{alice.Address}/analytics");
            await host.Webhooks.SendAllAsync(await ledger.FundAsync(carol, 6 * Usdc));
            var resale = await ledger.ResellAsync(alice, carol, first.TokenId, 6 * Usdc);
            await host.Webhooks.SendAllAsync(resale.Deliveries);
            await watcher.WaitForAsync("ticket-transferred", p => p.GetProperty("to").GetString() == carol.Address);
            AssertFigures(await host.GetJsonAsync(path), sold: 3, available: "7", revenue: "17000000", resales: 1, holders: 2, checkIns: 0, rate: 0);
            AssertUser(await host.GetJsonAsync($"api/users/{alice.Address}/analytics"), held: 0, attended: 0, spent: "5000000");

            // Carol is checked in at the door.
            await WarmAsync(path);
            await WarmAsync($"api/users/{carol.Address}/analytics");
            await host.Webhooks.SendAllAsync(await ledger.CheckInAsync(organizer, first.TokenId));
            await watcher.WaitForAsync("event-updated", p => p.GetRawText().Contains("ticketUsed"));
            var final = await host.GetJsonAsync(path);
            AssertFigures(final, sold: 3, available: "7", revenue: "17000000", resales: 1, holders: 2, checkIns: 1, rate: 0.3333);
            AssertUser(await host.GetJsonAsync($"api/users/{carol.Address}/analytics"), held: 1, attended: 1, spent: "0");
            AssertUser(await host.GetJsonAsync($"api/users/{bob.Address}/analytics"), held: 2, attended: 0, spent: "12000000");
            AssertUser(await host.GetJsonAsync($"api/users/{TestLedger.RandomAddress()}/analytics"), held: 0, attended: 0, spent: "0");

            // The chain agrees: its sold count, who holds what, and each purchase's block hour and price.
            Assert.Equal((long)(await ledger.State.EventAsync(created.EventId)).Sold, final.GetProperty("ticketsSold").GetInt64());
            Assert.Equal(carol.Address, await ledger.State.OwnerOfAsync(first.TokenId));
            Assert.True(await ledger.State.IsUsedAsync(first.TokenId));
            var expected = new Dictionary<DateTimeOffset, (long Tickets, BigInteger Revenue)>();
            foreach (var purchase in new[] { first, second, third })
            {
                var hour = AnalyticsWindow.CurrentHour(await host.Anvil.Reader().BlockTimeAsync(new HexBigInteger(purchase.Purchase.BlockNumber)));
                var (tickets, revenue) = expected.GetValueOrDefault(hour);
                expected[hour] = (tickets + 1, revenue + purchase.Price);
            }
            Assert.Equal([AnalyticsWindow.CurrentHour(earlier), AnalyticsWindow.CurrentHour(later)], expected.Keys.Order());
            AssertBuckets(final, expected);
        }
        finally
        {
            await SetChainTimeAsync(DateTimeOffset.UtcNow);
        }
    }

    [Fact]
    public async Task A_purchase_delivered_after_its_ticket_moved_on_counts_for_its_buyer_and_invalidates_the_buyers_cached_total()
    {
        var ledger = host.Ledger;
        var (organizer, alice, carol) = (await ledger.NewWalletAsync(), await ledger.NewWalletAsync(), await ledger.NewWalletAsync());
        var created = await ledger.CreateEventAsync(organizer, "Late purchase", "", Start, Start.AddHours(1), 5, 3 * Usdc);
        await host.Webhooks.SendAllAsync(created.Deliveries);
        var purchase = await ledger.BuyAsync(alice, created.EventId, "GA");
        await host.Webhooks.SendAllAsync([.. await ledger.FundAsync(carol, 3 * Usdc),
            .. purchase.Deliveries.Where(d => d.EventName != "TicketPurchased")]);
        await host.Webhooks.SendAllAsync((await ledger.ResellAsync(alice, carol, purchase.TokenId, 3 * Usdc)).Deliveries);
        await host.DrainedAsync();
        // Carol holds the token; nothing has said yet that Alice bought it.
        AssertUser(await WarmAsync($"api/users/{alice.Address}/analytics"), held: 0, attended: 0, spent: "0");
        AssertUser(await WarmAsync($"api/users/{carol.Address}/analytics"), held: 1, attended: 0, spent: "0");

        await using var watcher = await host.ConnectAsync(null, created.EventId.ToString());
        await host.Webhooks.SendAllAsync(purchase.Deliveries.Where(d => d.EventName == "TicketPurchased"));
        await watcher.WaitForAsync("ticket-purchased", p => p.GetProperty("ticketId").GetString() == purchase.TokenId.ToString());
        AssertUser(await host.GetJsonAsync($"api/users/{alice.Address}/analytics"), held: 0, attended: 0, spent: "3000000");
        AssertUser(await host.GetJsonAsync($"api/users/{carol.Address}/analytics"), held: 1, attended: 0, spent: "0");
        var figures = await host.GetJsonAsync($"api/events/{created.EventId}/analytics");
        AssertFigures(figures, sold: 1, available: "4", revenue: "3000000", resales: 1, holders: 1, checkIns: 0, rate: 0);
    }

    [Fact]
    public async Task Reads_answer_304_for_their_ETag_400_for_a_bad_id_or_address_and_404_for_an_unknown_event()
    {
        var organizer = await host.Ledger.NewWalletAsync();
        var created = await host.Ledger.CreateEventAsync(organizer, "Tags", "", Start, Start.AddHours(1), 3, 1);
        await host.Webhooks.SendAllAsync(created.Deliveries);
        await host.DrainedAsync();

        var document = await new OpenApiDocumentTests(host).DocumentAsync(ApiDocs.DocumentPath);
        foreach (var (path, template) in new[] { ($"api/events/{created.EventId}/analytics", "/api/events/{eventId}/analytics"),
                     ($"api/users/{organizer.Address}/analytics", "/api/users/{address}/analytics") })
        {
            using var first = await host.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            await DocumentedAnswers.AssertMatchesAsync(document, "GET", template, first);
            var etag = first.Headers.ETag!.Tag;
            using var again = await host.GetAsync(path, etag);
            Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
            Assert.Equal(etag, again.Headers.ETag!.Tag);
        }

        await AssertProblemAsync(document, "api/events/12x/analytics", "/api/events/{eventId}/analytics", HttpStatusCode.BadRequest, "eventId");
        await AssertProblemAsync(document, "api/users/0x12/analytics", "/api/users/{address}/analytics", HttpStatusCode.BadRequest, "address");
        await AssertProblemAsync(document, $"api/events/{created.EventId + 1000}/analytics", "/api/events/{eventId}/analytics", HttpStatusCode.NotFound, null);
    }

    private async Task AssertProblemAsync(JsonObject document, string path, string template, HttpStatusCode status, string? field)
    {
        using var response = await host.GetAsync(path);
        await DocumentedAnswers.AssertMatchesAsync(document, "GET", template, response);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        if (field is not null) Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    /// <summary>Loads the read into the cache and checks the next read is answered from it: the old value a change must replace.</summary>
    private async Task<JsonElement> WarmAsync(string path)
    {
        var value = await host.GetJsonAsync(path);
        using var cached = await host.GetAsync(path);
        Assert.Equal("hit", cached.Headers.GetValues("X-Cache").Single());
        return value;
    }

    private Task SetChainTimeAsync(DateTimeOffset time) =>
        host.Anvil.Reader().Client.SendRequestAsync("evm_setTime", null, time.ToUnixTimeSeconds());

    private static void AssertFigures(JsonElement a, long sold, string available, string revenue, long resales, long holders, long checkIns, double rate)
    {
        var actual = (a.GetProperty("ticketsSold").GetInt64(), a.GetProperty("ticketsAvailable").GetString(), a.GetProperty("revenue").GetString(),
            a.GetProperty("resales").GetInt64(), a.GetProperty("uniqueHolders").GetInt64(), a.GetProperty("checkIns").GetInt64(),
            a.GetProperty("checkInRate").GetDouble());
        Assert.Equal((sold, available, revenue, resales, holders, checkIns, rate), actual);
    }

    private static void AssertUser(JsonElement u, long held, long attended, string spent) =>
        Assert.Equal((held, attended, spent),
            (u.GetProperty("ticketsHeld").GetInt64(), u.GetProperty("eventsAttended").GetInt64(), u.GetProperty("totalSpent").GetString()));

    /// <summary>168 hourly buckets from windowStart to windowEnd, oldest first; only the purchases' hours are non-zero.</summary>
    private static void AssertBuckets(JsonElement a, Dictionary<DateTimeOffset, (long Tickets, BigInteger Revenue)> expected)
    {
        var start = a.GetProperty("windowStart").GetDateTimeOffset();
        var end = a.GetProperty("windowEnd").GetDateTimeOffset();
        // Loaded just now: the current hour (or the one before, when the clock passed an hour since the load).
        var now = AnalyticsWindow.CurrentHour(DateTimeOffset.UtcNow);
        Assert.True(end == now || end == now.AddHours(-1), $"windowEnd {end:O}, current hour {now:O}");
        Assert.Equal(end.AddHours(1 - AnalyticsWindow.Hours), start);
        var buckets = a.GetProperty("salesPerHour").EnumerateArray().ToArray();
        Assert.Equal(AnalyticsWindow.Hours, buckets.Length);
        for (var i = 0; i < buckets.Length; i++)
        {
            var hour = buckets[i].GetProperty("hour").GetDateTimeOffset();
            Assert.Equal(start.AddHours(i), hour);
            Assert.Equal(TimeSpan.Zero, hour.Offset);
            var (tickets, revenue) = expected.GetValueOrDefault(hour);
            Assert.Equal((tickets, revenue.ToString()), (buckets[i].GetProperty("tickets").GetInt64(), buckets[i].GetProperty("revenue").GetString()));
        }
    }
}
