using System.Diagnostics;
using System.Numerics;
using Echain.Demo.Chain;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Util;

namespace Echain.Bench;

/// <summary>The projectable logs of both contracts up to a head block, and how long reading them took.</summary>
public sealed record ChainHistory(long Head, IReadOnlyList<FilterLog> Logs, TimeSpan ReadTime, int Reads);

public sealed partial class BenchChain
{
    // The reconciler's default eth_getLogs range (Echain:Chain:MaxLogRange), so the reads-only figure reads as it does.
    private const int LogRange = 2000;
    private const int TicketPrice = 1_000_000; // 1 USDC
    private static readonly BigInteger Unlimited = BigInteger.Pow(2, 255);
    // Logs the projector never applies (ERC-20/721 allowances): not part of what an import must apply.
    private static readonly HashSet<string> NotProjected =
        ["Approval(address,address,uint256)", "ApprovalForAll(address,address,bool)"];
    private static readonly HashSet<string> NotProjectedTopics =
        NotProjected.Select(s => "0x" + Sha3Keccack.Current.CalculateHash(s)).ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Real transactions making about <paramref name="targetLogs"/> logs: the organizer creates a few events, then
    /// eight buyers (anvil's accounts 2–9), in parallel and each in nonce order, mint USDC, approve the ticket contract,
    /// buy tickets (3 logs each) and pass every tenth ticket on to the next buyer. Returns the transactions sent.
    /// </summary>
    public async Task<int> MakeHistoryAsync(int targetLogs)
    {
        var buyers = Enumerable.Range(2, 8)
            .Select(i => new EchainWallet(ChainClients.Web3(_node.RpcUrl, AnvilAccounts.PrivateKeys[i]), EchainDeployment.Local)).ToArray();
        var start = DateTimeOffset.UtcNow.AddDays(60);
        var events = new List<BigInteger>();
        for (var i = 0; i < Math.Max(2, targetLogs / 1000); i++)
            events.Add((await _organizer.CreateEventAsync($"Imported event {i}", "history for the import scenario",
                start, start.AddHours(2), 1_000_000, TicketPrice)).EventId);
        var perBuyer = (targetLogs - events.Count) / (double)buyers.Length;
        // Per buyer: mint and approval (2 logs), 3 per purchase and one transfer per ten purchases.
        var purchases = Math.Max(1, (int)Math.Round((perBuyer - 2) / 3.1));
        var sent = await Task.WhenAll(buyers.Select(async (buyer, b) =>
        {
            await buyer.MintUsdcAsync(buyer.Address, (BigInteger)TicketPrice * purchases);
            await buyer.ApproveTicketsAsync(Unlimited);
            var transactions = 2;
            for (var p = 1; p <= purchases; p++)
            {
                var (_, tokenId) = await buyer.PurchaseAsync(events[(b + p) % events.Count], p % 2 == 0 ? "General" : "VIP");
                transactions++;
                if (p % 10 != 0) continue;
                await buyer.TransferTicketAsync(buyers[(b + 1) % buyers.Length].Address, tokenId);
                transactions++;
            }
            return transactions;
        }));
        return events.Count + sent.Sum();
    }

    /// <summary>Every projectable log of both contracts from genesis to the head, read as the reconciler reads: eth_getLogs per range.</summary>
    public async Task<ChainHistory> ReadHistoryAsync()
    {
        var head = (long)(await _reader.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value;
        var clock = Stopwatch.StartNew();
        var logs = new List<FilterLog>();
        var reads = 0;
        for (long from = 0; from <= head; from += LogRange)
        {
            var filter = new NewFilterInput
            {
                Address = [EchainDeployment.Local.TicketContract, EchainDeployment.Local.PaymentToken],
                FromBlock = new BlockParameter((ulong)from),
                ToBlock = new BlockParameter((ulong)Math.Min(head, from + LogRange - 1)),
            };
            logs.AddRange(await _reader.Eth.Filters.GetLogs.SendRequestAsync(filter));
            reads++;
        }
        var elapsed = clock.Elapsed;
        var projectable = logs.Where(l => l.Topics is { Length: > 0 } t && !NotProjectedTopics.Contains(t[0]?.ToString() ?? "")).ToList();
        return new ChainHistory(head, projectable, elapsed, reads);
    }

    /// <summary>The CDP deliveries of <paramref name="logs"/> in chain order, as TestLedger builds them (block time, sender, recipient).</summary>
    public async Task<IReadOnlyList<CdpActivity>> DeliveriesAsync(IReadOnlyList<FilterLog> logs)
    {
        var blocks = new Dictionary<long, BlockWithTransactions>();
        foreach (var number in logs.Select(l => (long)l.BlockNumber.Value).Distinct())
            blocks[number] = await _reader.Eth.Blocks.GetBlockWithTransactionsByNumber.SendRequestAsync(new HexBigInteger(number));
        return logs.Select(log =>
        {
            var block = blocks[(long)log.BlockNumber.Value];
            var tx = block.Transactions.Single(t => string.Equals(t.TransactionHash, log.TransactionHash, StringComparison.OrdinalIgnoreCase));
            return _decoder.Decode(log, DateTimeOffset.FromUnixTimeSeconds((long)block.Timestamp.Value), tx.From, tx.To)
                ?? throw new InvalidOperationException($"log {log.TransactionHash}/{log.LogIndex.Value} is not an Echain contract event");
        }).ToArray();
    }
}
