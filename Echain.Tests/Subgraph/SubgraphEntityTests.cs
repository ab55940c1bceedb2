using Echain.Core.Subgraph;
using Echain.Tests.Infrastructure;
using static Echain.Tests.Infrastructure.TestChain;

namespace Echain.Tests.Subgraph;

/// <summary>Each entity's fields as the projector's rows map to them, times included (block time, else when applied).</summary>
public sealed class SubgraphEntityTests(RedisServer redis) : PostgresTest, IClassFixture<RedisServer>
{
    /// <summary>TestChain's block time: 1_700_000_000 + 2 s per block.</summary>
    private static string TimeOf(long block) => N(1_700_000_000 + block * 2);

    private static string TxId(long block, int log) => $"0x{block:x32}{log:x32}-{log}";

    [Fact]
    public async Task Events_tickets_and_transactions_carry_the_projection_fields_and_their_logs_times()
    {
        await using var h = new SubgraphHarness(DataSource, redis);
        await h.ApplyAsync(
            EventCreated(10, 0, "1", title: "Concert", description: "Live\0 at 8", maxTickets: "100", price: "5000000"),
            EventUpdated(12, 3, "1", title: "Concert II", description: "Live\0 at 8", price: "6000000"),
            EventCreated(11, 0, "2", title: "Play"),
            TicketTransfer(20, 1, Zero, Alice, "7"),
            Purchase(20, 2, "1", "7", Alice, price: "6000000", type: "VIP"),
            TicketTransfer(30, 0, Alice, Bob, "7"),
            TicketUsed(40, 4, "7"),
            TicketTransfer(21, 1, Zero, Carol, "8"),
            Purchase(21, 2, "1", "8", Carol));

        var events = await h.Reads.EventsAsync(SubgraphCollection.Default, default);
        Assert.Equal(
            [
                new SubgraphEvent("1", Creator, "Concert II", "Live\0 at 8", N(Start), N(End), "100", "6000000", TimeOf(10), TimeOf(12)),
                new SubgraphEvent("2", Creator, "Play", "Live", N(Start), N(End), "100", "5000000", TimeOf(11), TimeOf(11)),
            ], events);

        var tickets = await h.Reads.TicketsAsync(SubgraphCollection.Default, default);
        Assert.Equal(
            [
                new SubgraphTicket("7", "1", Bob, "7", "VIP", "6000000", true, TimeOf(20), TimeOf(30)),
                new SubgraphTicket("8", "1", Carol, "8", "GA", "5000000", false, TimeOf(21), null), // only minted: never transferred
            ], tickets);

        var transactions = await h.Reads.TransactionsAsync(SubgraphCollection.Default with { OrderBy = "timestamp" }, default);
        Assert.Equal(
            [
                new SubgraphTransaction(TxId(20, 1), "1", "7", Zero, Alice, "0", "mint", TimeOf(20)),
                new SubgraphTransaction(TxId(20, 2), "1", "7", Alice, Tickets, "6000000", "purchase", TimeOf(20)),
                new SubgraphTransaction(TxId(21, 1), "1", "8", Zero, Carol, "0", "mint", TimeOf(21)),
                new SubgraphTransaction(TxId(21, 2), "1", "8", Carol, Tickets, "5000000", "purchase", TimeOf(21)),
                new SubgraphTransaction(TxId(30, 0), "1", "7", Alice, Bob, "0", "transfer", TimeOf(30)),
                new SubgraphTransaction(TxId(40, 4), "1", "7", Tickets, Tickets, "0", "check-in", TimeOf(40)),
            ], transactions);

        // By id: the same rows; unknown and malformed ids are absent.
        var byId = await h.Reads.EventsByIdAsync(["2", "9", "x"], default);
        Assert.Equal(events[1], Assert.Single(byId).Value);
        Assert.Equal(tickets[0], (await h.Reads.TicketsByIdAsync(["7"], default))["7"]);
        var tx = await h.Reads.TransactionsByIdAsync([TxId(30, 0), TxId(30, 9), "0x12-1"], default);
        Assert.Equal(transactions[4], Assert.Single(tx).Value);
    }

    [Fact]
    public async Task Logs_without_a_block_time_are_timed_when_Echain_applied_them()
    {
        await using var h = new SubgraphHarness(DataSource, redis);
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        await h.ApplyAsync(
            EventCreated(10, 0, "1") with { BlockTime = null },
            Purchase(20, 0, "1", "5", Alice) with { BlockTime = null },
            TicketTransfer(30, 0, Alice, Bob, "5") with { BlockTime = null });
        var after = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        await using var command = DataSource.CreateCommand(
            "SELECT block_number, floor(extract(epoch FROM applied_at))::bigint FROM applied_logs ORDER BY block_number");
        var appliedAt = new Dictionary<long, string>();
        await using (var reader = await command.ExecuteReaderAsync())
            while (await reader.ReadAsync()) appliedAt[reader.GetInt64(0)] = N(reader.GetInt64(1));
        Assert.All(appliedAt.Values, t => Assert.InRange(long.Parse(t), before, after));

        var e = Assert.Single(await h.Reads.EventsAsync(SubgraphCollection.Default, default));
        Assert.Equal((appliedAt[10], appliedAt[10]), (e.CreatedAt, e.UpdatedAt));
        var t = Assert.Single(await h.Reads.TicketsAsync(SubgraphCollection.Default, default));
        Assert.Equal((appliedAt[20], appliedAt[30]), (t.CreatedAt, t.TransferredAt));
        var transactions = await h.Reads.TransactionsAsync(SubgraphCollection.Default, default);
        Assert.Equal([appliedAt[20], appliedAt[30]], transactions.Select(x => x.Timestamp));
    }
}
