using System.Numerics;
using Echain.Core.Chain.Rpc;
using Echain.Demo.Chain;
using Echain.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;

namespace Echain.Tests.Chain;

/// <summary>
/// What the reconciler reads from a node, against a real anvil with real Echain transactions: logs, block headers
/// and token balances equal to Nethereum's own reads, and log ranges read in chunks a range-limiting node accepts.
/// </summary>
public sealed class ChainLogReadingTests(AnvilServer anvil) : IClassFixture<AnvilServer>
{
    private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_900_000_000);

    [Fact]
    public async Task The_logs_of_a_created_event_and_a_purchase_are_what_the_node_holds()
    {
        var ledger = await TestLedger.CreateAsync(anvil);
        var organizer = await ledger.NewWalletAsync();
        var created = await ledger.CreateEventAsync(organizer, "Concert", "Hall A", Start, Start.AddHours(2), 10, 5_000_000);
        var purchase = await ledger.BuyAsync(await ledger.NewWalletAsync(), created.EventId, "GA");
        using var rpc = Client(anvil.RpcUrl);
        string[] contracts = [ledger.Deployment.TicketContract, ledger.Deployment.PaymentToken];
        var (from, to) = (created.Transaction.BlockNumber, purchase.Purchase.BlockNumber);

        var answer = await rpc.GetLogsAsync(contracts, from, to, CancellationToken.None);

        var direct = await DirectLogsAsync(contracts, from, to);
        Assert.Equal(direct, answer.Value.Select(Describe));
        Assert.Equal(created.Deliveries.Count, answer.Value.Count(l => l.TransactionHash == created.Transaction.Hash.ToLowerInvariant()));
        Assert.Equal(purchase.Purchase.Count, answer.Value.Count(l => l.TransactionHash == purchase.Purchase.Hash.ToLowerInvariant()));
        Assert.NotEmpty(created.Deliveries);
        Assert.All(answer.Value, l => Assert.Contains(l.Address, contracts.Select(c => c.ToLowerInvariant())));
        Assert.Empty((await rpc.GetLogsAsync([TestLedger.RandomAddress()], from, to, CancellationToken.None)).Value);
    }

    [Fact]
    public async Task A_block_header_is_the_nodes_and_a_block_beyond_the_head_is_null()
    {
        using var rpc = Client(anvil.RpcUrl);
        await MineAsync(2);
        var head = (await rpc.HeadAsync(CancellationToken.None)).Value;

        var header = (await rpc.GetBlockAsync(head - 1, CancellationToken.None)).Value!;
        var beyond = (await rpc.GetBlockAsync(head + 1000, CancellationToken.None)).Value;

        var block = await anvil.Reader().Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new BlockParameter(new HexBigInteger(head - 1)));
        var child = await anvil.Reader().Eth.Blocks.GetBlockWithTransactionsHashesByNumber.SendRequestAsync(new BlockParameter(new HexBigInteger(head)));
        Assert.Equal(new BlockHeader(head - 1, block.BlockHash.ToLowerInvariant(), block.ParentHash.ToLowerInvariant(),
            DateTimeOffset.FromUnixTimeSeconds((long)block.Timestamp.Value)), header);
        Assert.Equal(child.ParentHash.ToLowerInvariant(), header.Hash);
        Assert.Null(beyond);
    }

    [Fact]
    public async Task A_balance_is_the_tokens_at_a_past_block_and_now()
    {
        var ledger = await TestLedger.CreateAsync(anvil);
        var organizer = await ledger.NewWalletAsync();
        var created = await ledger.CreateEventAsync(organizer, "Gig", "Club", Start, Start.AddHours(1), 10, 7_000_000);
        var purchase = await ledger.BuyAsync(await ledger.NewWalletAsync(), created.EventId, "GA");
        await ledger.FundAsync(organizer, 1_000_000); // after the purchase: now differs from the purchase's block
        using var rpc = Client(anvil.RpcUrl);
        var token = ledger.Deployment.PaymentToken;
        var head = (await rpc.HeadAsync(CancellationToken.None)).Value;

        var before = await rpc.BalanceOfAsync(token, organizer.Address, purchase.Purchase.BlockNumber - 1, CancellationToken.None);
        var paid = await rpc.BalanceOfAsync(token, organizer.Address, purchase.Purchase.BlockNumber, CancellationToken.None);
        var now = await rpc.BalanceOfAsync(token, organizer.Address, head, CancellationToken.None);

        Assert.Equal((BigInteger.Zero, new BigInteger(7_000_000), new BigInteger(8_000_000)), (before.Value, paid.Value, now.Value));
        Assert.Equal(await TokenBalanceAsync(token, organizer.Address, purchase.Purchase.BlockNumber), paid.Value);
        Assert.Equal(await ledger.State.UsdcBalanceAsync(organizer.Address), now.Value);
    }

    [Fact]
    public async Task A_range_limited_node_is_read_in_chunks_it_accepts_and_the_size_grows_back_once_the_limit_is_lifted()
    {
        var ledger = await TestLedger.CreateAsync(anvil);
        var organizer = await ledger.NewWalletAsync();
        var created = await ledger.CreateEventAsync(organizer, "Festival", "Field", Start, Start.AddDays(1), 10, 1_000_000);
        var from = created.Transaction.BlockNumber;
        for (var i = 0; i < 3; i++)
        {
            await MineAsync(8);
            await ledger.BuyAsync(await ledger.NewWalletAsync(), created.EventId, "GA");
        }
        var head = (await anvil.Reader().Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
        if (head < from + 39) await MineAsync((long)(from + 39 - head));
        var to = from + 39;
        string[] contracts = [ledger.Deployment.TicketContract, ledger.Deployment.PaymentToken];
        await using var proxy = await FaultyRpcProxy.StartAsync(anvil.RpcUrl);
        using var rpc = Client(proxy.Url);
        var reader = new LogRangeReader(rpc, Options.Create(new ChainOptions { MaxLogRange = 2000 }), NullLogger<LogRangeReader>.Instance);
        proxy.MaxLogRange(5);

        var limited = await ReadAllAsync(reader, contracts, from, to);
        var limitedRange = reader.CurrentRange;
        var refused = proxy.Requests("eth_getLogs") - limited.Count;
        proxy.Healthy();
        var lifted = await ReadAllAsync(reader, contracts, from, to);

        var direct = await DirectLogsAsync(contracts, from, to);
        Assert.True(direct.Length >= 4 * 3, $"{direct.Length} logs"); // the creation and three purchases
        foreach (var chunks in new[] { limited, lifted })
        {
            Assert.Equal(direct, chunks.SelectMany(c => c.Logs).Select(Describe));
            Assert.Equal(from, chunks[0].FromBlock);
            Assert.Equal(to, chunks[^1].ToBlock);
            Assert.All(chunks.Zip(chunks.Skip(1)), pair => Assert.Equal(pair.First.ToBlock + 1, pair.Second.FromBlock));
            Assert.All(chunks, c => Assert.All(c.Logs, l => Assert.InRange(l.BlockNumber, c.FromBlock, c.ToBlock)));
        }
        Assert.All(limited, c => Assert.InRange(c.ToBlock - c.FromBlock + 1, 1, 5));
        Assert.InRange(limitedRange, 1, 5);
        Assert.True(refused > 0, "the node refused no range");
        Assert.True(reader.CurrentRange > 5, $"range {reader.CurrentRange} after the limit was lifted");
    }

    [Fact]
    public async Task A_node_that_refuses_even_one_block_makes_the_read_fail_with_the_refusal()
    {
        var ledger = await TestLedger.CreateAsync(anvil);
        await using var proxy = await FaultyRpcProxy.StartAsync(anvil.RpcUrl);
        using var rpc = Client(proxy.Url);
        var reader = new LogRangeReader(rpc, Options.Create(new ChainOptions { MaxLogRange = 8 }), NullLogger<LogRangeReader>.Instance);
        proxy.MaxLogRange(0);

        await Assert.ThrowsAsync<LogRangeRefusedException>(() => ReadAllAsync(reader, [ledger.Deployment.TicketContract], 0, 20));

        Assert.Equal(4, proxy.Requests("eth_getLogs")); // 8, 4, 2, then the single block
        Assert.Equal(1, reader.CurrentRange);
    }

    private static FailoverChainRpc Client(params Uri[] urls) =>
        new(Options.Create(new ChainOptions { RpcUrls = [.. urls.Select(u => u.ToString())] }), TimeProvider.System,
            NullLogger<FailoverChainRpc>.Instance);

    private static async Task<List<LogChunk>> ReadAllAsync(LogRangeReader reader, IReadOnlyCollection<string> addresses, long from, long to)
    {
        var chunks = new List<LogChunk>();
        await foreach (var chunk in reader.ReadAsync(addresses, from, to, CancellationToken.None)) chunks.Add(chunk);
        return chunks;
    }

    /// <summary>Nethereum's own eth_getLogs, described field by field as <see cref="Describe"/> describes a <see cref="ChainLog"/>.</summary>
    private async Task<string[]> DirectLogsAsync(string[] contracts, long from, long to)
    {
        var logs = await anvil.Reader().Eth.Filters.GetLogs.SendRequestAsync(new NewFilterInput
        {
            Address = contracts,
            FromBlock = new BlockParameter(new HexBigInteger(from)),
            ToBlock = new BlockParameter(new HexBigInteger(to)),
        });
        return logs.Select(l => string.Join(' ', l.Address.ToLowerInvariant(), string.Join(',', l.Topics.Select(t => t.ToString()!.ToLowerInvariant())),
            l.Data.ToLowerInvariant(), l.BlockNumber.Value, l.BlockHash.ToLowerInvariant(), l.TransactionHash.ToLowerInvariant(), l.LogIndex.Value)).ToArray();
    }

    private static string Describe(ChainLog l) =>
        string.Join(' ', l.Address, string.Join(',', l.Topics), l.Data, l.BlockNumber, l.BlockHash, l.TransactionHash, l.LogIndex);

    private Task<BigInteger> TokenBalanceAsync(string token, string holder, long block) =>
        anvil.Reader().Eth.GetContractQueryHandler<BalanceOfFunction>()
            .QueryAsync<BigInteger>(token, new BalanceOfFunction { Owner = holder }, new BlockParameter(new HexBigInteger(block)));

    private async Task MineAsync(long blocks) =>
        await anvil.Reader().Client.SendRequestAsync("anvil_mine", null, new HexBigInteger(blocks).HexValue);
}
