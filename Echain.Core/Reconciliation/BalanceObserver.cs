using System.Numerics;
using Echain.Core.Chain.Rpc;
using Echain.Core.Projection;
using Echain.Core.Reads;
using Echain.Core.Realtime;

namespace Echain.Core.Reconciliation;

/// <summary>
/// Payment-token balances from the chain: balanceOf at a final block for every holder a pass met, and for balance rows
/// never observed, handed to the projector (which adds the deltas after that block). Then invalidate, then emit.
/// </summary>
public sealed class BalanceObserver(IChainRpc rpc, AppliedLogLedger ledger, TicketProjector projector, IReadCache cache)
{
    /// <summary>Rows written from deltas alone, observed per pass (a large backlog is worked off over several passes).</summary>
    public const int UnobservedPerPass = 500;

    /// <summary>Returns how many balances were read.</summary>
    public async Task<int> ObserveAsync(IEnumerable<(string Token, string Holder)> holders, long block, IRealtimePublisher publisher, CancellationToken ct)
    {
        var wanted = holders.Concat(await ledger.UnobservedHoldersAsync(UnobservedPerPass, ct)).Distinct().ToList();
        var read = new List<(string Token, KeyValuePair<string, BigInteger> Balance)>();
        await Parallel.ForEachAsync(wanted, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (h, c) =>
        {
            var balance = (await rpc.BalanceOfAsync(h.Token, h.Holder, block, c)).Value;
            lock (read) read.Add((h.Token, new KeyValuePair<string, BigInteger>(h.Holder, balance)));
        });

        foreach (var token in read.GroupBy(r => r.Token, r => r.Balance))
        {
            var changes = await projector.ObserveBalancesAsync(token.Key, block, token.ToList(), ct);
            if (changes.CacheResources.Count > 0) await cache.InvalidateAsync(changes.CacheResources, ct);
            if (changes.Messages.Count > 0) await publisher.PublishAsync(changes.Messages, ct);
        }
        return read.Count;
    }
}
