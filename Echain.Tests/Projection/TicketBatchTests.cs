using Echain.Core.Chain;
using Echain.Core.Projection;
using Echain.Core.Reads;
using Echain.Tests.Infrastructure;
using static Echain.Tests.Infrastructure.TestChain;

namespace Echain.Tests.Projection;

/// <summary>
/// A batch's ticket logs decide from the ticket rows as the logs before them in the batch left them (read once, kept in memory)
/// and send their writes together: each log must still decide what it decides when it is applied alone.
/// </summary>
public sealed class TicketBatchTests
{
    private const string Dave = "0xdddddddddddddddddddddddddddddddddddddddd";

    /// <summary>One token's whole life, logs out of order, an older transfer after a newer one, and a purchase after its resale.</summary>
    private static readonly ChainEvent[] Batch =
    [
        EventCreated(100, 0, "1"),
        TicketTransfer(110, 0, Zero, Alice, "1"),
        Purchase(110, 1, "1", "1", Alice, type: "VIP"),
        TicketTransfer(120, 0, Alice, Bob, "1"),
        TicketUsed(130, 0, "1"),
        TicketTransfer(125, 0, Bob, Carol, "1"),
        TicketTransfer(115, 0, Alice, Dave, "1"), // older than the owner it finds: the owner stays Carol
        TicketTransfer(140, 0, Zero, Bob, "2"),
        TicketTransfer(141, 0, Bob, Dave, "2"),
        EventCreated(101, 0, "2"), // another kind of log in between reads what the ticket logs before it wrote
        Purchase(140, 1, "2", "2", Bob), // its transfers were recorded before their event was known: relinked now
        Purchase(150, 1, "1", "3", Carol),
        TicketUsed(151, 0, "3"),
        Purchase(149, 1, "2", "3", Carol), // an older purchase of a purchased token changes nothing but its activity
    ];

    [Fact]
    public async Task Each_ticket_log_of_a_batch_decides_what_it_decides_applied_alone()
    {
        var server = await PostgresServer.GetAsync();
        await using var alone = await server.CreateDatabaseAsync();
        await using var together = await server.CreateDatabaseAsync();

        var one = Projector(alone.DataSource);
        var outcomesAlone = new List<ProjectionOutcome>();
        foreach (var log in Batch) outcomesAlone.Add(await one.ApplyAsync(log, default));
        var outcomesTogether = await Projector(together.DataSource).ApplyBatchAsync(Batch, default);

        Assert.All(outcomesAlone, o => Assert.Equal(ProjectionStatus.Applied, o.Status));
        for (var i = 0; i < Batch.Length; i++)
        {
            Assert.Equal(outcomesAlone[i].Status, outcomesTogether[i].Status);
            Assert.Equal(outcomesAlone[i].CacheResources.Order(StringComparer.Ordinal), outcomesTogether[i].CacheResources.Order(StringComparer.Ordinal));
            Assert.Equal(Render(outcomesAlone[i].Messages), Render(outcomesTogether[i].Messages));
        }

        // Every table and read alike, activity rows included: each carries the event its token ended up in, whichever statement put it there.
        Assert.Equal(await ProjectionState.SnapshotAsync(alone.DataSource), await ProjectionState.SnapshotAsync(together.DataSource));
        Assert.Equal(["check-in", "purchase", "purchase", "check-in", "transfer", "transfer", "transfer", "purchase", "mint"],
            (await ProjectionState.AllPagesAsync(cursor => TestChain.Reads(together.DataSource).GetEventActivityAsync("1", cursor, 3))).Select(a => a.Kind));

        foreach (var database in new[] { alone, together })
        {
            var reads = TestChain.Reads(database.DataSource);
            Assert.Equal(Carol, (await reads.GetTicketAsync("1"))!.Owner);
            Assert.True((await reads.GetTicketAsync("1"))!.IsUsed);
            Assert.Equal(["2"], (await reads.GetUserTicketsAsync(Dave)).Items.Select(t => t.TokenId));
            Assert.Equal("1", (await reads.GetTicketAsync("3"))!.EventId);
            Assert.Equal(2, (await reads.GetEventAsync("1"))!.TicketsSold);
            Assert.Equal(1, (await reads.GetEventAsync("2"))!.TicketsSold);
        }
        // The relinked transfers of token 2 invalidated both sides' transactions, read from rows the same batch wrote.
        Assert.Contains(CacheResources.UserTransactions(Bob), outcomesTogether[10].CacheResources);
        Assert.Contains(CacheResources.UserTransactions(Dave), outcomesTogether[10].CacheResources);
    }
}
