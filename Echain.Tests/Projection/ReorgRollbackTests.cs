using Echain.Core.Chain;
using Echain.Core.Projection;
using Echain.Core.Reads;
using Echain.Tests.Infrastructure;
using static Echain.Tests.Infrastructure.TestChain;

namespace Echain.Tests.Projection;

/// <summary>Removals and replacements from the reconciler: the projection ends as if only the canonical logs were ever seen.</summary>
public sealed class ReorgRollbackTests : PostgresTest
{
    private TicketProjector Projector => TestChain.Projector(DataSource);
    private TicketReadRepository Reads => TestChain.Reads(DataSource);

    /// <summary>An event with one sold, minted ticket of Alice's, and Alice's USDC.</summary>
    private static readonly ChainEvent[] Base =
    [
        UsdcTransfer(19, 0, Zero, Alice, "20000000"),
        EventCreated(10, 0, "1"),
        TicketTransfer(20, 0, Zero, Alice, "5"),
        Purchase(20, 1, "1", "5", Alice),
    ];

    /// <summary>One log of each kind, on top of <see cref="Base"/>.</summary>
    public static TheoryData<string> Kinds => new(Extras.Keys);

    private static readonly Dictionary<string, ChainEvent> Extras = new()
    {
        ["new event"] = EventCreated(11, 0, "2", title: "Talk"),
        ["older duplicate EventCreated"] = EventCreated(9, 0, "1", title: "Draft", maxTickets: "7"),
        ["event update"] = EventUpdated(12, 0, "1", title: "Renamed", price: "6000000"),
        ["purchase of a new ticket"] = Purchase(30, 1, "1", "6", Bob, type: "VIP"),
        ["newer purchase of the same ticket"] = Purchase(31, 1, "2", "5", Bob, type: "VIP"),
        ["resale"] = TicketTransfer(30, 0, Alice, Bob, "5"),
        ["mint of a new ticket"] = TicketTransfer(31, 0, Zero, Bob, "7"),
        ["check-in"] = TicketUsed(32, 0, "5"),
        ["USDC payment"] = UsdcTransfer(33, 0, Alice, Bob, "5000000"),
        // Strings PostgreSQL stores escaped (PgText): undone like any other.
        ["update with U+0000 in its title"] = EventUpdated(13, 0, "1", title: "Re\0named \uFFFF0", description: "a\0b"),
        ["purchase with U+0000 in its ticket type"] = Purchase(34, 1, "1", "8", Bob, type: "V\0IP"),
    };

    [Fact]
    public async Task Undoing_an_update_restores_an_earlier_title_with_U0000_exactly()
    {
        await ApplyAllAsync(Base);
        await Projector.ApplyAsync(EventUpdated(12, 0, "1", title: "A\0B \uFFFF", description: "c\0d"), default);
        var later = EventUpdated(13, 0, "1", title: "Plain");
        await Projector.ApplyAsync(later, default);
        Assert.Equal("Plain", (await Reads.GetEventAsync("1"))!.Title);

        // The recompute reads the remaining update's parameters back from applied_logs (jsonb, escaped).
        Assert.Equal(ProjectionStatus.RolledBack, (await Projector.ApplyAsync(Removal(later, "0xdead"), default)).Status);
        var read = (await Reads.GetEventAsync("1"))!;
        Assert.Equal(("A\0B \uFFFF", "c\0d"), (read.Title, read.Description));
    }

    [Fact]
    public async Task Undoing_an_update_with_the_same_details_announces_nothing_but_invalidates_the_event_whose_updatedAt_moves_back()
    {
        await ApplyAllAsync(Base);
        var same = EventUpdated(13, 0, "1");
        await Projector.ApplyAsync(same, default);

        var removed = await Projector.ApplyAsync(Removal(same), default);

        Assert.Equal(ProjectionStatus.RolledBack, removed.Status);
        Assert.Equal(["event-analytics:1", "event:1", "events", "tickets", "transactions"], removed.CacheResources.Order(StringComparer.Ordinal));
        Assert.Empty(removed.Messages);
    }

    private static ChainEvent Removal(ChainEvent applied, string? hash = null) =>
        applied with { Removed = true, Parameters = new Dictionary<string, string>(), BlockHash = hash, Origin = ChainEventOrigin.Reorg };

    /// <summary>The same log (same key) as a node reports it at another block.</summary>
    private static ChainEvent At(ChainEvent log, long block, string hash) =>
        log with { BlockNumber = block, BlockHash = hash, BlockTime = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + block * 2), Origin = ChainEventOrigin.Reorg };

    private async Task ApplyAllAsync(IEnumerable<ChainEvent> logs)
    {
        foreach (var log in logs) await Projector.ApplyAsync(log, default);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Removing_a_log_leaves_every_table_and_read_as_if_it_never_existed(string kind)
    {
        var extra = Extras[kind];
        await ApplyAllAsync(Base);
        var before = await ProjectionState.SnapshotAsync(DataSource);

        var applied = await Projector.ApplyAsync(extra, default);
        Assert.Equal(ProjectionStatus.Applied, applied.Status);
        Assert.NotEqual(before, await ProjectionState.SnapshotAsync(DataSource));

        var removed = await Projector.ApplyAsync(Removal(extra, "0xdead"), default);
        Assert.Equal(ProjectionStatus.RolledBack, removed.Status);
        // What readers saw change is corrected; an older duplicate that changed nothing visible corrects nothing.
        Assert.Equal(applied.CacheResources.Count > 0, removed.CacheResources.Count > 0);
        Assert.Equal(applied.Messages.Count > 0, removed.Messages.Count > 0);
        Assert.Equal(before, await ProjectionState.SnapshotAsync(DataSource));
        Assert.Equal(before, await ProjectionState.OfAsync(Base));
        Assert.Equal(1, await CountAsync(DataSource, "rolled_back_logs"));
    }

    [Fact]
    public async Task Removing_a_resale_gives_the_ticket_back_and_says_so()
    {
        await ApplyAllAsync(Base);
        var resale = TicketTransfer(30, 0, Alice, Bob, "5");
        await Projector.ApplyAsync(resale, default);

        var removed = await Projector.ApplyAsync(Removal(resale), default);

        Assert.Equal(
            ["event-activity:1", "event-analytics:1", "event-tickets:1", "event:1", "ticket:5", "tickets", "transactions", $"user-analytics:{Alice}", $"user-analytics:{Bob}",
             $"user-tickets:{Alice}", $"user-tickets:{Bob}", $"user-transactions:{Alice}", $"user-transactions:{Bob}"],
            removed.CacheResources.Order(StringComparer.Ordinal));
        Assert.Equal(
            [
                """event-updated group:event-1 {"eventId":"1","updates":{"reverted":{"kind":"transfer","ticketId":"5"}}}""",
                $$"""notification user:{{Bob}} {"message":"Ticket #5 is no longer yours: the chain dropped the transaction that gave it to you.","type":"ticket-reverted","userId":"{{Bob}}"}""",
                $$"""notification user:{{Alice}} {"message":"Ticket #5 is yours again: the chain dropped a later transaction of it.","type":"ticket-reverted","userId":"{{Alice}}"}""",
            ],
            Render(removed.Messages));
        Assert.Equal(Alice, Assert.Single((await Reads.GetUserTicketsAsync(Alice)).Items).Owner);
        Assert.Empty((await Reads.GetUserTicketsAsync(Bob)).Items);
    }

    [Fact]
    public async Task Removing_a_purchase_announces_the_sold_count_and_removing_a_payment_the_balances()
    {
        await ApplyAllAsync(Base);
        var purchase = Purchase(30, 1, "1", "6", Bob);
        var payment = UsdcTransfer(30, 2, Alice, Bob, "5000000");
        await ApplyAllAsync([purchase, payment]);

        var purchaseRemoved = await Projector.ApplyAsync(Removal(purchase), default);
        Assert.Equal(
            [
                """event-updated group:event-1 {"eventId":"1","updates":{"reverted":{"kind":"purchase","ticketId":"6"},"ticketsSold":1}}""",
                $$"""notification user:{{Bob}} {"message":"Ticket #6 is no longer yours: the chain dropped the transaction that gave it to you.","type":"ticket-reverted","userId":"{{Bob}}"}""",
            ],
            Render(purchaseRemoved.Messages));
        Assert.Equal(1, (await Reads.GetEventAsync("1"))!.TicketsSold);

        var paymentRemoved = await Projector.ApplyAsync(Removal(payment), default);
        Assert.Equal(
            [
                $$"""balance-updated user:{{Alice}} {"balance":"20000000","token":"{{Usdc}}","userId":"{{Alice}}"}""",
                $$"""balance-updated user:{{Bob}} {"balance":"0","token":"{{Usdc}}","userId":"{{Bob}}"}""",
            ],
            Render(paymentRemoved.Messages));
        Assert.Empty((await Reads.GetUserBalancesAsync(Bob)).Items);
    }

    [Fact]
    public async Task Removing_the_only_EventCreated_removes_the_event_from_reads()
    {
        await ApplyAllAsync(Base);
        var removed = await Projector.ApplyAsync(Removal(Base[1]), default);

        Assert.Equal(["""event-updated group:event-1 {"eventId":"1","updates":{"removed":true}}"""], Render(removed.Messages));
        Assert.Contains($"user-tickets:{Alice}", removed.CacheResources);
        Assert.Contains("events", removed.CacheResources);
        // Its ticket and activity leave the subgraph with it (Ticket.event and Transaction.event are non-null).
        Assert.Contains("event-tickets:1", removed.CacheResources);
        Assert.Contains("event-activity:1", removed.CacheResources);
        Assert.Null(await Reads.GetEventAsync("1"));
        Assert.Empty((await Reads.ListEventsAsync(null, 10)).Items);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_moved_log_ends_at_its_new_block_whichever_of_removal_and_new_copy_comes_first_twice(string kind)
    {
        var old = Extras[kind];
        var moved = At(old, old.BlockNumber + 5, $"0x{old.BlockNumber + 5:x64}");
        var expected = await ProjectionState.OfAsync([.. Base, moved]);

        var orders = new (ChainEvent[] Deliveries, ProjectionStatus[] Statuses)[]
        {
            ([Removal(old), moved, Removal(old), moved],
             [ProjectionStatus.RolledBack, ProjectionStatus.Applied, ProjectionStatus.AlreadyApplied, ProjectionStatus.AlreadyApplied]),
            // The new copy replaces the old one itself; the removal then names a copy no longer applied.
            ([moved, Removal(old), moved, Removal(old)],
             [ProjectionStatus.Applied, ProjectionStatus.AlreadyApplied, ProjectionStatus.AlreadyApplied, ProjectionStatus.AlreadyApplied]),
        };
        foreach (var (order, expectedStatuses) in orders)
        {
            await using var database = await Server.CreateDatabaseAsync();
            var projector = TestChain.Projector(database.DataSource);
            foreach (var log in Base.Append(old)) await projector.ApplyAsync(log, default);
            var statuses = new List<ProjectionStatus>();
            foreach (var log in order) statuses.Add((await projector.ApplyAsync(log, default)).Status);

            Assert.Equal(expected, await ProjectionState.SnapshotAsync(database.DataSource));
            // The old copy is undone exactly once: by the removal, or by the new copy replacing it.
            Assert.Equal(1, await CountAsync(database.DataSource, "rolled_back_logs"));
            Assert.Equal(expectedStatuses, statuses);
        }
    }

    [Fact]
    public async Task A_stale_removal_of_another_block_or_another_hash_changes_nothing()
    {
        await ApplyAllAsync(Base);
        var moved = At(TicketTransfer(30, 0, Alice, Bob, "5"), 35, "0xb35");
        await Projector.ApplyAsync(moved, default);
        var state = await ProjectionState.SnapshotAsync(DataSource);

        foreach (var stale in new[] { Removal(moved with { BlockNumber = 30 }), Removal(moved, "0xother") })
        {
            var outcome = await Projector.ApplyAsync(stale, default);
            Assert.Equal(ProjectionStatus.AlreadyApplied, outcome.Status);
            Assert.Empty(outcome.CacheResources);
            Assert.Empty(outcome.Messages);
            Assert.Equal(state, await ProjectionState.SnapshotAsync(DataSource));
        }

        Assert.Equal(0, await CountAsync(DataSource, "rolled_back_logs"));
    }

    /// <summary>
    /// A removal leaves no tombstone: a webhook (which cannot tell forks apart) delivering the same key again
    /// applies it again, and the reconciler removes it again when it sees the block. A webhook never replaces.
    /// </summary>
    [Fact]
    public async Task A_webhook_copy_after_a_removal_applies_again_and_a_webhook_never_replaces()
    {
        await ApplyAllAsync(Base);
        var resale = TicketTransfer(30, 0, Alice, Bob, "5");
        await Projector.ApplyAsync(resale, default);
        Assert.Equal(ProjectionStatus.RolledBack, (await Projector.ApplyAsync(Removal(resale), default)).Status);

        Assert.Equal(ProjectionStatus.Applied, (await Projector.ApplyAsync(resale, default)).Status);
        Assert.Equal(Bob, Assert.Single((await Reads.GetUserTicketsAsync(Bob)).Items).Owner);

        var webhookAtAnotherBlock = resale with { BlockNumber = 40 };
        Assert.Equal(ProjectionStatus.AlreadyApplied, (await Projector.ApplyAsync(webhookAtAnotherBlock, default)).Status);
        Assert.Equal(await ProjectionState.OfAsync([.. Base, resale]), await ProjectionState.SnapshotAsync(DataSource));
    }

    [Fact]
    public async Task A_node_copy_at_the_same_block_replaces_a_webhook_copy_with_other_parameters_and_names_one_with_the_same()
    {
        await ApplyAllAsync(Base);
        var webhook = Purchase(30, 1, "1", "6", Bob, type: "GA");
        await Projector.ApplyAsync(webhook, default);

        var same = await Projector.ApplyAsync(webhook with { BlockHash = "0xb30", Origin = ChainEventOrigin.Heal }, default);
        Assert.Equal(ProjectionStatus.AlreadyApplied, same.Status);
        Assert.Equal("0xb30", await HashOfAsync(webhook.Key));

        // Same key and block, other contents: the webhook's copy came from a fork that lost.
        var canonical = Purchase(30, 1, "1", "6", Carol, type: "VIP") with { BlockHash = "0xc30", Origin = ChainEventOrigin.Reorg };
        Assert.Equal(ProjectionStatus.AlreadyApplied, (await Projector.ApplyAsync(canonical with { BlockHash = "0xb30" }, default)).Status);
        var replaced = await Projector.ApplyAsync(canonical, default);
        Assert.Equal(ProjectionStatus.Applied, replaced.Status);
        Assert.Contains($"user-tickets:{Bob}", replaced.CacheResources);
        Assert.Contains($"user-tickets:{Carol}", replaced.CacheResources);
        Assert.Equal(await ProjectionState.OfAsync([.. Base, canonical]), await ProjectionState.SnapshotAsync(DataSource));
        Assert.Equal("0xc30", await HashOfAsync(webhook.Key));
    }

    [Fact]
    public async Task A_redelivered_removal_emits_its_undelivered_corrections_once()
    {
        await ApplyAllAsync(Base);
        var resale = TicketTransfer(30, 0, Alice, Bob, "5");
        await Projector.ApplyAsync(resale, default);
        var removal = Removal(resale);

        var first = await Projector.ApplyAsync(removal, default);
        Assert.Equal(ProjectionStatus.RolledBack, first.Status);

        // A crash between commit and publish: the redelivery owes the same messages.
        var redelivered = await Projector.ApplyAsync(removal, default);
        Assert.Equal(ProjectionStatus.AlreadyApplied, redelivered.Status);
        Assert.Equal(first.CacheResources, redelivered.CacheResources);
        Assert.Equal(Render(first.Messages), Render(redelivered.Messages));

        await Projector.MarkDeliveredAsync(removal, default);
        var afterDelivery = await Projector.ApplyAsync(removal, default);
        Assert.Equal(first.CacheResources, afterDelivery.CacheResources);
        Assert.Empty(afterDelivery.Messages);
        Assert.Equal(await ProjectionState.OfAsync(Base), await ProjectionState.SnapshotAsync(DataSource));
    }

    private async Task<string?> HashOfAsync(LogKey key)
    {
        await using var command = DataSource.CreateCommand("SELECT block_hash FROM applied_logs WHERE network = $1 AND tx_hash = $2 AND log_index = $3");
        command.Parameters.AddWithValue(key.Network);
        command.Parameters.AddWithValue(key.TransactionHash);
        command.Parameters.AddWithValue(key.LogIndex);
        return await command.ExecuteScalarAsync() as string;
    }
}
