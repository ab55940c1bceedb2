using System.Text;
using Echain.Core.Projection;
using Echain.Core.Reads;
using Echain.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using static Echain.Tests.Infrastructure.TestChain;

namespace Echain.Tests.Reads;

/// <summary>The <c>final</c> flag of every read, against the reconciler's checkpoint, and what to invalidate when it moves.</summary>
public sealed class FinalityTests : PostgresTest
{
    private TicketProjector Projector => TestChain.Projector(DataSource);
    private TicketReadRepository Reads => TestChain.Reads(DataSource);

    /// <summary>
    /// Ticket 5: minted and bought at 20, resold to Bob at 30, checked in at 40 (and a check-in at 35 arriving
    /// last). Ticket 6: bought by Carol at 22, no transfer seen. Alice pays the creator at 25.
    /// </summary>
    private async Task ProjectHistoryAsync()
    {
        foreach (var log in new[]
                 {
                     EventCreated(10, 0, "1"),
                     TicketTransfer(20, 0, Zero, Alice, "5"),
                     Purchase(20, 1, "1", "5", Alice),
                     Purchase(22, 0, "1", "6", Carol),
                     UsdcTransfer(25, 0, Alice, Creator, "5000000"),
                     TicketTransfer(30, 0, Alice, Bob, "5"),
                     TicketUsed(40, 0, "5"),
                     TicketUsed(35, 0, "5"),
                 })
            await Projector.ApplyAsync(log, default);
    }

    private async Task SetReconciledAsync(long block, string network = Network)
    {
        await using var command = DataSource.CreateCommand(
            """
            INSERT INTO chain_checkpoints (network, start_block, import_target, reconciled_block) VALUES ($1, 0, 0, $2)
            ON CONFLICT (network) DO UPDATE SET reconciled_block = EXCLUDED.reconciled_block
            """);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = network });
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = block });
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Every final flag the reads show, in a fixed order, with the block it is about.</summary>
    private async Task<string[]> FlagsAsync()
    {
        var tickets = (await Reads.GetEventTicketsAsync("1", null, 10)).Items.Select(t => $"ticket {t.TokenId} {t.Final}");
        var held = (await Reads.GetUserTicketsAsync(Bob)).Items.Concat((await Reads.GetUserTicketsAsync(Carol)).Items)
            .Select(t => $"held {t.TokenId} {t.Final}");
        var activity = (await Reads.GetEventActivityAsync("1", null, 10)).Items.Select(a => $"activity {a.Kind}@{a.BlockNumber} {a.Final}");
        var transactions = (await Reads.GetUserTransactionsAsync(Alice, null, 10)).Items.Select(x => $"tx {x.Kind}@{x.BlockNumber} {x.Final}");
        return [.. tickets, .. held, .. activity, .. transactions];
    }

    private static string[] Expected(long reconciled) =>
    [
        $"ticket 5 {reconciled >= 40}", $"ticket 6 {reconciled >= 22}",
        $"held 5 {reconciled >= 40}", $"held 6 {reconciled >= 22}",
        $"activity check-in@40 {reconciled >= 40}", $"activity check-in@35 {reconciled >= 35}",
        $"activity transfer@30 {reconciled >= 30}", $"activity purchase@22 {reconciled >= 22}",
        $"activity purchase@20 {reconciled >= 20}", $"activity mint@20 {reconciled >= 20}",
        $"tx ticket-transfer@30 {reconciled >= 30}", $"tx token-transfer@25 {reconciled >= 25}", $"tx ticket-mint@20 {reconciled >= 20}",
    ];

    [Fact]
    public async Task Nothing_is_final_without_this_networks_checkpoint()
    {
        await ProjectHistoryAsync();
        Assert.Equal(Expected(long.MinValue), await FlagsAsync());

        await SetReconciledAsync(1000, network: "base-sepolia"); // another chain's progress says nothing about this one
        Assert.Equal(Expected(long.MinValue), await FlagsAsync());
    }

    [Fact]
    public async Task Each_item_becomes_final_exactly_when_its_newest_block_is_reconciled()
    {
        await ProjectHistoryAsync();
        foreach (var reconciled in new long[] { 19, 20, 21, 22, 25, 29, 30, 34, 35, 39, 40, 41 })
        {
            await SetReconciledAsync(reconciled);
            Assert.Equal(Expected(reconciled), await FlagsAsync());
        }
    }

    [Fact]
    public async Task The_flag_is_final_in_the_json_of_every_read()
    {
        await ProjectHistoryAsync();
        await SetReconciledAsync(40);
        await Projector.ObserveBalancesAsync(Usdc, 30, [KeyValuePair.Create(Alice, System.Numerics.BigInteger.Zero)], default);
        var reads = new TicketReads(Reads, new UncachedReads());
        var limit = new PageSize(10);

        string Json(CachedJson? read) => Encoding.UTF8.GetString(read!.Utf8Json);
        Assert.Contains("\"isUsed\":true,\"final\":true}", Json(await reads.GetEventTicketsAsync(new TicketedEventId("1"), null, limit, default)));
        Assert.Contains("\"final\":true}", Json(await reads.GetUserTicketsAsync(new WalletAddress(Bob), default)));
        Assert.Contains("\"final\":true}", Json(await reads.GetEventActivityAsync(new TicketedEventId("1"), null, limit, default)));
        Assert.Contains("\"final\":true}", Json(await reads.GetUserTransactionsAsync(new WalletAddress(Alice), null, limit, default)));
        Assert.Equal($$"""{"items":[{"token":"{{Usdc}}","balance":"0","final":true}]}""",
            Json(await reads.GetUserBalancesAsync(new WalletAddress(Alice), default)));
    }

    [Fact]
    public async Task Migration_5_gives_check_ins_applied_before_it_their_newest_version()
    {
        await ProjectHistoryAsync();
        await SetReconciledAsync(39);
        var before = await FlagsAsync();

        // The database as it was before migration 5, then migrated again.
        await using (var command = DataSource.CreateCommand(
                         """
                         DROP INDEX transfers_block_idx, event_activity_block_idx;
                         ALTER TABLE tickets DROP COLUMN used_block, DROP COLUMN used_log;
                         ALTER TABLE balances DROP COLUMN chain_balance, DROP COLUMN chain_block;
                         DELETE FROM schema_migrations WHERE version = 5
                         """))
            await command.ExecuteNonQueryAsync();
        await new DatabaseMigrator(DataSource, NullLogger<DatabaseMigrator>.Instance).MigrateAsync();

        Assert.Equal(before, await FlagsAsync()); // ticket 5 is still not final at 39: its newest check-in is at 40
        Assert.Contains("ticket 5 False", before);
        await using var used = DataSource.CreateCommand("SELECT used_block, used_log FROM tickets WHERE token_id = 5");
        await using var reader = await used.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((40L, 0), (reader.GetInt64(0), reader.GetInt32(1)));
    }

    [Fact]
    public async Task BecameFinal_names_exactly_the_reads_of_the_logs_in_the_range()
    {
        await ProjectHistoryAsync();
        await Projector.ApplyAsync(TicketTransfer(30, 1, Zero, Carol, "9"), default); // a ticket whose purchase is unseen

        Assert.Equal(
            [
                "event-activity:1", "event-tickets:1", "ticket:5", "ticket:9",
                $"user-balances:{Alice}", $"user-balances:{Creator}",
                $"user-tickets:{Alice}", $"user-tickets:{Bob}", $"user-tickets:{Carol}",
                $"user-transactions:{Alice}", $"user-transactions:{Bob}", $"user-transactions:{Creator}", $"user-transactions:{Carol}",
            ],
            await Projector.BecameFinalAsync(22, 30, default));
        // Block 20: ticket 5's mint and purchase (its entry; Bob holds it now), nothing else.
        Assert.Equal(
            ["event-activity:1", "event-tickets:1", "ticket:5", $"user-tickets:{Alice}", $"user-tickets:{Bob}", $"user-transactions:{Alice}"],
            await Projector.BecameFinalAsync(19, 20, default));
        // The check-ins: the event and the holder.
        Assert.Equal(["event-activity:1", "event-tickets:1", "ticket:5", $"user-tickets:{Bob}"], await Projector.BecameFinalAsync(34, 40, default));
        Assert.Empty(await Projector.BecameFinalAsync(40, 1000, default));
        Assert.Empty(await Projector.BecameFinalAsync(20, 20, default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Projector.BecameFinalAsync(30, 22, default));
    }
}
