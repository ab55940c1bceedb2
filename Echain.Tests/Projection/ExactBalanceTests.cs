using System.Numerics;
using Echain.Core.Projection;
using Echain.Core.Reads;
using Echain.Tests.Infrastructure;
using static Echain.Tests.Infrastructure.TestChain;

namespace Echain.Tests.Projection;

/// <summary>A balance is the chain's balanceOf at an observed final block plus the transfers seen after it.</summary>
public sealed class ExactBalanceTests : PostgresTest
{
    private TicketProjector Projector => TestChain.Projector(DataSource);
    private TicketReadRepository Reads => TestChain.Reads(DataSource);

    private static KeyValuePair<string, BigInteger> Held(string holder, long balance) => KeyValuePair.Create(holder, new BigInteger(balance));

    private async Task<BalanceView?> BalanceAsync(string holder) => (await Reads.GetUserBalancesAsync(holder)).Items.SingleOrDefault();

    /// <summary>A distinct wallet per permutation, so every order is replayed on fresh rows in one database.</summary>
    private static string Wallet(int round, int who) => $"0x{who:x2}{round:x38}";

    /// <summary>
    /// The chain: block 1 mints 100 to A, block 2 C pays A 5 (C's funding is never seen), block 3 A pays B 30,
    /// block 4 B pays A 1. balanceOf at block 2: A 105, B 0; at block 3: A 75, B 30. In the end A 76, B 29.
    /// </summary>
    private static Func<TicketProjector, Task>[] ChainHistory(int round, long observedAt)
    {
        var (a, b, c) = (Wallet(round, 1), Wallet(round, 2), Wallet(round, 3));
        long Block(long n) => round * 10 + n;
        var observation = observedAt == 2 ? new[] { Held(a, 105), Held(b, 0) } : [Held(a, 75), Held(b, 30)];
        return
        [
            p => p.ApplyAsync(UsdcTransfer(Block(1), 0, Zero, a, "100"), default),
            p => p.ApplyAsync(UsdcTransfer(Block(2), 0, c, a, "5"), default),
            p => p.ApplyAsync(UsdcTransfer(Block(3), 0, a, b, "30"), default),
            p => p.ApplyAsync(UsdcTransfer(Block(4), 0, b, a, "1"), default),
            p => p.ObserveBalancesAsync(Usdc, Block(observedAt), observation, default),
        ];
    }

    /// <summary>Blocks 1..n: Alice is minted 10 and pays Bob 3 in each. balanceOf after block k: Alice 7k, Bob 3k.</summary>
    private static Echain.Core.Chain.ChainEvent[] MintAndPay(int blocks) => Enumerable.Range(1, blocks).SelectMany(n => new[]
    {
        UsdcTransfer(n, 0, Zero, Alice, "10"),
        UsdcTransfer(n, 1, Alice, Bob, "3"),
    }).ToArray();

    private static IEnumerable<int[]> Permutations(int[] items) => items.Length <= 1
        ? [items]
        : items.SelectMany((first, i) => Permutations([.. items[..i], .. items[(i + 1)..]]).Select(rest => (int[])[first, .. rest]));

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Every_order_of_transfers_and_an_observation_ends_at_the_chain_balance(long observedAt)
    {
        var round = 0;
        foreach (var order in Permutations([0, 1, 2, 3, 4]))
        {
            round++;
            var steps = ChainHistory(round, observedAt);
            foreach (var step in order) await steps[step](Projector);

            Assert.Equal(new BalanceView(Usdc, "76", false), await BalanceAsync(Wallet(round, 1)));
            Assert.Equal(new BalanceView(Usdc, "29", false), await BalanceAsync(Wallet(round, 2)));
            Assert.Equal(new BalanceView(Usdc, "0", false), await BalanceAsync(Wallet(round, 3))); // -5: its funding is unseen
        }
        Assert.Equal(120, round);
    }

    [Fact]
    public async Task An_older_observation_after_a_newer_one_changes_nothing()
    {
        foreach (var step in ChainHistory(0, observedAt: 3)) await step(Projector);
        var (a, b) = (Wallet(0, 1), Wallet(0, 2));

        var older = await Projector.ObserveBalancesAsync(Usdc, 2, [Held(a, 105), Held(b, 0)], default);
        Assert.Empty(older.CacheResources);
        Assert.Empty(older.Messages);
        var same = await Projector.ObserveBalancesAsync(Usdc, 3, [Held(a, 75), Held(b, 30)], default);
        Assert.Empty(same.CacheResources);
        Assert.Equal(new BalanceView(Usdc, "76", false), await BalanceAsync(a));

        // The final block 4 holds the last transfer: observed there, nothing came later and the balance is final.
        var final = await Projector.ObserveBalancesAsync(Usdc, 4, [Held(a, 76), Held(b, 29)], default);
        Assert.Equal([CacheResources.UserBalances(a), CacheResources.UserBalances(b)], final.CacheResources);
        Assert.Empty(final.Messages); // the shown numbers did not change, only the flag
        Assert.Equal(new BalanceView(Usdc, "76", true), await BalanceAsync(a));
        Assert.Equal(new BalanceView(Usdc, "29", true), await BalanceAsync(b));

        // A transfer after the observation: counted, and not final until the next observation.
        await Projector.ApplyAsync(UsdcTransfer(5, 0, a, b, "6"), default);
        Assert.Equal(new BalanceView(Usdc, "70", false), await BalanceAsync(a));
    }

    [Fact]
    public async Task The_balance_updated_payload_shows_the_observed_balance_never_below_zero()
    {
        // The funding transfers of Alice were never seen: the sum is -40, shown and announced as 0.
        var payment = await Projector.ApplyAsync(UsdcTransfer(10, 0, Alice, Bob, "40"), default);
        Assert.Contains($$"""balance-updated user:{{Alice}} {"balance":"0","token":"{{Usdc}}","userId":"{{Alice}}"}""", Render(payment.Messages));
        Assert.Equal(new BalanceView(Usdc, "0", false), await BalanceAsync(Alice));

        // The chain says Alice held 100 after block 10; Carol, never seen, holds 7; Bob's observation matches the sum.
        var observed = await Projector.ObserveBalancesAsync(Usdc.ToUpperInvariant().Replace("0X", "0x"), 10,
            [Held(Carol, 7), Held(Alice.ToUpperInvariant().Replace("0X", "0x"), 100), Held(Bob, 40), Held(Zero, 1)], default);
        Assert.Equal(
            [CacheResources.UserBalances(Alice), CacheResources.UserBalances(Bob), CacheResources.UserBalances(Carol)],
            observed.CacheResources.Order(StringComparer.Ordinal));
        Assert.Equal(
            [
                $$"""balance-updated user:{{Alice}} {"balance":"100","token":"{{Usdc}}","userId":"{{Alice}}"}""",
                $$"""balance-updated user:{{Carol}} {"balance":"7","token":"{{Usdc}}","userId":"{{Carol}}"}""",
            ],
            Render(observed.Messages));
        Assert.Equal(new BalanceView(Usdc, "7", true), await BalanceAsync(Carol));

        // A transfer the observation already holds (block 10) moves nothing and announces nothing.
        var late = await Projector.ApplyAsync(UsdcTransfer(9, 0, Zero, Alice, "140"), default);
        Assert.Equal([CacheResources.UserTransactions(Alice)], late.CacheResources);
        Assert.Empty(late.Messages);
        Assert.Equal(new BalanceView(Usdc, "100", true), await BalanceAsync(Alice));
        Assert.Empty((await Reads.GetUserBalancesAsync(Zero)).Items);
    }

    [Fact]
    public async Task Bad_observations_are_argument_errors()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Projector.ObserveBalancesAsync("usdc", 1, [], default));
        await Assert.ThrowsAsync<ArgumentException>(() => Projector.ObserveBalancesAsync(Usdc, 1, [Held("0x12", 1)], default));
        await Assert.ThrowsAsync<ArgumentException>(() => Projector.ObserveBalancesAsync(Usdc, 1, [Held(Alice, -1)], default));
        await Assert.ThrowsAsync<ArgumentException>(() => Projector.ObserveBalancesAsync(Usdc, 1, [Held(Alice, 1), Held(Alice, 2)], default));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Projector.ObserveBalancesAsync(Usdc, -1, [], default));
        Assert.Equal(0, await CountAsync(DataSource, "balances"));
    }

    [Fact]
    public async Task Observations_racing_many_transfers_of_the_same_holders_end_at_the_observation_plus_later_deltas()
    {
        const int blocks = 30;
        var transfers = MintAndPay(blocks);
        var observations = new long[] { 10, 20, 25 };
        var work = transfers.Select(log => (Func<Task>)(() => Projector.ApplyAsync(log, default)))
            .Concat(observations.Select(n => (Func<Task>)(() =>
                Projector.ObserveBalancesAsync(Usdc, n, [Held(Bob, 3 * n), Held(Alice, 7 * n)], default))))
            .ToList();
        // Observations started amid the transfers, not after them (a fixed seed: the same start order every run).
        var random = new Random(7);
        var shuffled = work.OrderBy(_ => random.Next()).ToList();

        await Task.WhenAll(shuffled.Select(step => Task.Run(step)));

        Assert.Equal(new BalanceView(Usdc, N(7 * blocks), false), await BalanceAsync(Alice));
        Assert.Equal(new BalanceView(Usdc, N(3 * blocks), false), await BalanceAsync(Bob));
        await using var command = DataSource.CreateCommand("SELECT chain_block, chain_balance FROM balances WHERE holder = $1");
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = Alice });
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal((25L, new BigInteger(175)), (reader.GetInt64(0), reader.GetFieldValue<BigInteger>(1)));
    }

    [Fact]
    public async Task A_batch_of_transfers_sums_its_deltas_in_order_and_each_message_shows_the_balance_after_its_log()
    {
        // One transaction, as a lane's batch: Alice is minted 100, pays Bob 30, Bob pays her 1, and a self-transfer moves nothing.
        var outcomes = await Projector.ApplyBatchAsync(
        [
            UsdcTransfer(1, 0, Zero, Alice, "100"),
            UsdcTransfer(1, 1, Alice, Bob, "30"),
            UsdcTransfer(2, 0, Bob, Alice, "1"),
            UsdcTransfer(2, 1, Bob, Bob, "4"),
        ], default);

        var shown = outcomes.SelectMany(o => o.Messages).Where(m => m.Target == Echain.Core.Realtime.RealtimeTargets.BalanceUpdated)
            .Select(m => $"{m.UserId}={m.Payload["balance"]}").ToArray();
        Assert.Equal([$"{Alice}=100", $"{Alice}=70", $"{Bob}=30", $"{Alice}=71", $"{Bob}=29", $"{Bob}=29"], shown);
        Assert.Equal(new BalanceView(Usdc, "71", false), await BalanceAsync(Alice));
        Assert.Equal(new BalanceView(Usdc, "29", false), await BalanceAsync(Bob));
    }

    [Fact]
    public async Task Observations_racing_batches_of_transfers_of_the_same_holders_end_at_the_observation_plus_later_deltas()
    {
        // As the racing test above, but the transfers arrive as lane batches of up to 8 logs: several of them lock the same rows together.
        const int blocks = 40;
        var transfers = MintAndPay(blocks);
        var random = new Random(11);
        var batches = new List<Echain.Core.Chain.ChainEvent[]>();
        for (var i = 0; i < transfers.Length;)
        {
            var size = Math.Min(random.Next(1, 9), transfers.Length - i);
            batches.Add(transfers[i..(i + size)]);
            i += size;
        }
        var work = batches.Select(batch => (Func<Task>)(() => Projector.ApplyBatchAsync(batch, default)))
            .Concat(new long[] { 10, 20, 30 }.Select(n => (Func<Task>)(() =>
                Projector.ObserveBalancesAsync(Usdc, n, [Held(Bob, 3 * n), Held(Alice, 7 * n)], default))))
            .OrderBy(_ => random.Next()).ToList();

        await Task.WhenAll(work.Select(step => Task.Run(step)));

        Assert.Equal(new BalanceView(Usdc, N(7 * blocks), false), await BalanceAsync(Alice));
        Assert.Equal(new BalanceView(Usdc, N(3 * blocks), false), await BalanceAsync(Bob));
    }
}
