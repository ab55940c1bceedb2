using Echain.Core.Chain;
using Echain.Core.Chain.Rpc;
using Microsoft.Extensions.Logging;

namespace Echain.Core.Reconciliation;

/// <summary>
/// Applied copies a range of canonical logs does not hold become removals, but only once the node shows it has
/// their block and that the block is another one than the copy's: a node that is behind, or an answer cut short,
/// must never roll back what is on the chain.
/// </summary>
internal static class ReorgRemovals
{
    public static async Task<List<ChainEvent>> ConfirmAsync(
        IChainRpc rpc, string network, IReadOnlyList<AppliedCopy> gone, ILogger log, CancellationToken ct)
    {
        var removals = new List<ChainEvent>();
        var headers = new Dictionary<long, BlockHeader?>();
        foreach (var copy in gone)
        {
            if (!headers.TryGetValue(copy.BlockNumber, out var header))
                headers[copy.BlockNumber] = header = (await rpc.GetBlockAsync(copy.BlockNumber, ct)).Value;
            if (header is null)
            {
                log.LogInformation("{Key}: block {Block} is not on the node yet; its removal waits", copy.Key, copy.BlockNumber);
                continue;
            }
            if (copy.BlockHash is not null && string.Equals(copy.BlockHash, header.Hash, StringComparison.OrdinalIgnoreCase))
            {
                log.LogWarning("{Key}: block {Block} is canonical but the node's logs lack the applied log; not removed", copy.Key, copy.BlockNumber);
                continue;
            }
            removals.Add(new ChainEvent(network, copy.Key.TransactionHash, copy.Key.LogIndex, copy.BlockNumber, null, copy.Contract,
                copy.EventName, new Dictionary<string, string>(), BlockHash: copy.BlockHash, Removed: true, Origin: ChainEventOrigin.Reorg));
        }
        return removals;
    }
}

/// <summary>Block times for logs read from eth_getLogs (which has none): one header per distinct block.</summary>
internal static class BlockTimes
{
    public static async Task<List<ChainEvent>> StampAsync(IChainRpc rpc, IReadOnlyList<ChainEvent> events, CancellationToken ct)
    {
        var blocks = events.Where(e => !e.Removed).Select(e => e.BlockNumber).Distinct().ToArray();
        var times = new Dictionary<long, DateTimeOffset>();
        await Parallel.ForEachAsync(blocks, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (block, c) =>
        {
            var header = (await rpc.GetBlockAsync(block, c)).Value;
            if (header is not null)
                lock (times) times[block] = header.Timestamp;
        });
        return events.Select(e => e.Removed || !times.TryGetValue(e.BlockNumber, out var at) ? e : e with { BlockTime = at }).ToList();
    }
}
