using Echain.Core.Projection;
using Echain.Core.Reads;
using Echain.Tests.Infrastructure;
using static Echain.Tests.Infrastructure.TestChain;

namespace Echain.Tests.Projection;

/// <summary>The event's activity history: one row per purchase, ticket transfer and check-in, newest first.</summary>
public sealed class EventActivityTests : PostgresTest
{
    private TicketProjector Projector => TestChain.Projector(DataSource);
    private TicketReadRepository Reads => TestChain.Reads(DataSource);

    private static DateTimeOffset BlockTime(long block) => DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + block * 2);

    private static string Tx(long block, int log) => Log(Tickets, "x", block, log).TransactionHash;

    private async Task<IReadOnlyList<ActivityView>> ActivityAsync(string eventId, int limit = 50) =>
        (await Reads.GetEventActivityAsync(eventId, null, limit)).Items;

    [Fact]
    public async Task Purchase_mint_resale_and_check_in_are_listed_newest_first_with_block_times()
    {
        await Projector.ApplyAsync(EventCreated(10, 0, "1"), default);
        await Projector.ApplyAsync(TicketTransfer(20, 0, Zero, Alice, "5"), default);
        await Projector.ApplyAsync(Purchase(20, 1, "1", "5", Alice, price: "7000000"), default);
        var resale = await Projector.ApplyAsync(TicketTransfer(30, 2, Alice, Bob, "5"), default);
        var checkIn = await Projector.ApplyAsync(TicketUsed(40, 0, "5"), default);
        await Projector.ApplyAsync(UsdcTransfer(30, 1, Bob, Alice, "9000000"), default); // payments are not ticket activity
        await Projector.ApplyAsync(EventUpdated(50, 0, "1", title: "Renamed"), default);  // nor are event edits

        Assert.Contains(CacheResources.EventActivity("1"), resale.CacheResources);
        Assert.Contains(CacheResources.EventActivity("1"), checkIn.CacheResources);
        Assert.Equal(
            [
                new ActivityView("check-in", "5", null, null, null, null, Tx(40, 0), 0, 40, BlockTime(40), false),
                new ActivityView("transfer", "5", Alice, Bob, null, null, Tx(30, 2), 2, 30, BlockTime(30), false),
                new ActivityView("purchase", "5", null, null, Alice, "7000000", Tx(20, 1), 1, 20, BlockTime(20), false),
                new ActivityView("mint", "5", Zero, Alice, null, null, Tx(20, 0), 0, 20, BlockTime(20), false),
            ],
            await ActivityAsync("1"));
    }

    [Fact]
    public async Task A_burn_is_listed_and_a_redelivery_adds_no_row()
    {
        await Projector.ApplyAsync(EventCreated(10, 0, "1"), default);
        await Projector.ApplyAsync(Purchase(20, 1, "1", "5", Alice), default);
        var burn = TicketTransfer(25, 0, Alice, Zero, "5");
        await Projector.ApplyAsync(burn, default);
        await Projector.ApplyAsync(burn, default);
        await Projector.ApplyAsync(Purchase(20, 1, "1", "5", Alice), default);

        Assert.Equal(["burn", "purchase"], (await ActivityAsync("1")).Select(a => a.Kind));
        Assert.Equal(2, await CountAsync(DataSource, "event_activity"));
    }

    [Fact]
    public async Task Transfers_and_check_ins_before_the_purchase_are_kept_and_join_the_event_when_it_arrives()
    {
        await Projector.ApplyAsync(EventCreated(10, 0, "1"), default);
        var mint = await Projector.ApplyAsync(TicketTransfer(20, 0, Zero, Alice, "7"), default);
        await Projector.ApplyAsync(TicketTransfer(22, 0, Alice, Bob, "7"), default);
        var used = await Projector.ApplyAsync(TicketUsed(23, 0, "7"), default);
        Assert.DoesNotContain(mint.CacheResources, r => r.StartsWith("event-activity:", StringComparison.Ordinal));
        Assert.DoesNotContain(used.CacheResources, r => r.StartsWith("event-activity:", StringComparison.Ordinal));
        Assert.Empty(await ActivityAsync("1"));
        Assert.Equal(3, await CountAsync(DataSource, "event_activity")); // kept, not yet anyone's

        var purchase = await Projector.ApplyAsync(Purchase(20, 1, "1", "7", Alice), default);
        Assert.Contains(CacheResources.EventActivity("1"), purchase.CacheResources); // the backfill is visible: invalidate it

        Assert.Equal([("check-in", 23L), ("transfer", 22L), ("purchase", 20L), ("mint", 20L)],
            (await ActivityAsync("1")).Select(a => (a.Kind, a.BlockNumber)));

        // After the link, later logs go straight to the event.
        await Projector.ApplyAsync(TicketTransfer(24, 0, Bob, Carol, "7"), default);
        Assert.Equal(("transfer", Carol), ((await ActivityAsync("1"))[0].Kind, (await ActivityAsync("1"))[0].To));
        Assert.Empty(await ActivityAsync("2"));
    }

    [Fact]
    public async Task Activity_is_paged_newest_first_by_block_log_and_tx()
    {
        await Projector.ApplyAsync(EventCreated(10, 0, "1"), default);
        await Projector.ApplyAsync(EventCreated(10, 1, "2"), default);
        foreach (var token in new[] { 1, 2, 3 })
        {
            await Projector.ApplyAsync(TicketTransfer(20 + token, 0, Zero, Alice, N(token)), default);
            await Projector.ApplyAsync(Purchase(20 + token, 1, "1", N(token), Alice), default);
        }
        await Projector.ApplyAsync(TicketTransfer(30, 4, Alice, Bob, "2"), default);
        await Projector.ApplyAsync(Purchase(31, 0, "2", "9", Carol), default); // another event's

        var seen = new List<(long, int, string)>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Reads.GetEventActivityAsync("1", cursor, 3);
            seen.AddRange(page.Items.Select(a => (a.BlockNumber, a.LogIndex, a.Kind)));
            cursor = page.NextCursor;
            pages++;
        } while (cursor is not null);

        Assert.Equal(3, pages);
        Assert.Equal(
            [(30L, 4, "transfer"), (23L, 1, "purchase"), (23L, 0, "mint"), (22L, 1, "purchase"), (22L, 0, "mint"), (21L, 1, "purchase"), (21L, 0, "mint")],
            seen);
        Assert.Null((await Reads.GetEventActivityAsync("1", null, 7)).NextCursor); // exactly full: no empty page after it
        Assert.Equal(["purchase"], (await ActivityAsync("2")).Select(a => a.Kind));
    }

    [Fact]
    public async Task Invalid_ids_cursors_and_limits_are_argument_errors()
    {
        await Projector.ApplyAsync(EventCreated(10, 0, "1"), default);
        await Projector.ApplyAsync(EventCreated(11, 0, "2"), default);
        await Projector.ApplyAsync(UsdcTransfer(12, 0, Zero, Alice, "1"), default);
        await Projector.ApplyAsync(UsdcTransfer(13, 0, Zero, Alice, "1"), default);
        var eventsCursor = (await Reads.ListEventsAsync(null, 1)).NextCursor!;
        var transactionsCursor = (await Reads.GetUserTransactionsAsync(Alice, null, 1)).NextCursor!;

        Assert.Equal("eventId", (await Assert.ThrowsAsync<InvalidReadArgumentException>(() => Reads.GetEventActivityAsync("one", null, 10))).Field);
        foreach (var bad in new[] { "%%%", "", eventsCursor, transactionsCursor })
        {
            var error = await Assert.ThrowsAsync<InvalidReadArgumentException>(() => Reads.GetEventActivityAsync("1", bad, 10));
            Assert.Equal("cursor", error.Field);
        }
        foreach (var limit in new[] { 0, 201 })
            Assert.Equal("limit", (await Assert.ThrowsAsync<InvalidReadArgumentException>(() => Reads.GetEventActivityAsync("1", null, limit))).Field);
    }
}
