using System.Numerics;
using Echain.Demo.Chain;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace Echain.Demo.Emulator;

/// <summary>The logs of one block range as CDP would deliver them; <see cref="LogsSeen"/> also counts logs no ABI decodes.</summary>
public sealed record BlockRange(long From, long To, int LogsSeen, IReadOnlyList<Chain.CdpActivity> Activities);

/// <summary>
/// Reads the node the way CDP's indexer does: the head, then each range's logs of the subscribed
/// contracts with the block's time and the transaction's sender and recipient. RPC failures (a node
/// restarting) are retried with backoff until they succeed or the caller stops: a range is either read
/// whole or not at all, so no block is ever skipped.
/// </summary>
public sealed class BlockFollower
{
    private static readonly TimeSpan FirstRpcRetry = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan LastRpcRetry = TimeSpan.FromSeconds(8);

    private readonly IWeb3 _web3;
    private readonly string[] _contracts;
    private readonly ActivityDecoder _tickets;
    private readonly ActivityDecoder _tokens;
    private readonly EmulatorCounters _counters;
    private readonly Action<string> _log;

    public BlockFollower(IWeb3 web3, string network, IEnumerable<string> contracts, EmulatorCounters counters, Action<string> log)
    {
        _web3 = web3;
        _contracts = contracts.Select(c => c.ToLowerInvariant()).Distinct().ToArray();
        // CDP decodes with each contract's verified ABI. The emulator knows the two Echain ABIs; a log
        // fits at most one of them, since ERC-721 and ERC-20 Transfer/Approval differ in indexed topics.
        _tickets = new ActivityDecoder(network, _contracts.Select(c => (c, ContractArtifact.EchainTickets)));
        _tokens = new ActivityDecoder(network, _contracts.Select(c => (c, ContractArtifact.TestUsdc)));
        _counters = counters;
        _log = log;
    }

    public Task<long> HeadAsync(CancellationToken ct) => RetryingAsync("eth_blockNumber",
        async () => (long)(await _web3.Eth.Blocks.GetBlockNumber.SendRequestAsync()).Value, ct);

    /// <summary>Every subscribed log in [<paramref name="from"/>, <paramref name="to"/>], in chain order.</summary>
    public Task<BlockRange> ReadAsync(long from, long to, CancellationToken ct) =>
        RetryingAsync($"reading blocks {from}..{to}", () => ReadOnceAsync(from, to, ct), ct);

    private async Task<BlockRange> ReadOnceAsync(long from, long to, CancellationToken ct)
    {
        var logs = await _web3.Eth.Filters.GetLogs.SendRequestAsync(new NewFilterInput
        {
            FromBlock = new BlockParameter(new HexBigInteger(from)),
            ToBlock = new BlockParameter(new HexBigInteger(to)),
            Address = _contracts,
        });
        // Per range: logs of one block or transaction share one lookup, and nothing grows without bound.
        var blockTimes = new Dictionary<BigInteger, DateTimeOffset>();
        var transactions = new Dictionary<string, Transaction>(StringComparer.OrdinalIgnoreCase);
        var activities = new List<Chain.CdpActivity>(logs.Length);
        foreach (var log in logs.OrderBy(l => l.BlockNumber.Value).ThenBy(l => l.LogIndex.Value))
        {
            ct.ThrowIfCancellationRequested();
            if (!blockTimes.TryGetValue(log.BlockNumber.Value, out var time))
                blockTimes[log.BlockNumber.Value] = time = await _web3.BlockTimeAsync(log.BlockNumber);
            if (!transactions.TryGetValue(log.TransactionHash, out var transaction))
                transactions[log.TransactionHash] = transaction = await TransactionAsync(log.TransactionHash);
            var activity = _tickets.Decode(log, time, transaction.From, transaction.To)
                ?? _tokens.Decode(log, time, transaction.From, transaction.To);
            if (activity is not null) activities.Add(activity);
        }
        return new BlockRange(from, to, logs.Length, activities);
    }

    private async Task<Transaction> TransactionAsync(string hash) =>
        await _web3.Eth.Transactions.GetTransactionByHash.SendRequestAsync(hash)
        ?? throw new InvalidOperationException($"The node does not know transaction {hash}, which its logs name.");

    private async Task<T> RetryingAsync<T>(string what, Func<Task<T>> call, CancellationToken ct)
    {
        var delay = FirstRpcRetry;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // Any failure here is the node's (down, restarting, answering garbage): wait and ask again.
                _counters.RpcError();
                _log($"{what} failed ({e.GetBaseException().Message}); retrying in {delay.TotalSeconds:0.##} s");
                await Task.Delay(delay, ct);
                delay = delay * 2 < LastRpcRetry ? delay * 2 : LastRpcRetry;
            }
        }
    }
}
