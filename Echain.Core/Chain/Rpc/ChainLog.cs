using Nethereum.RPC.Eth.DTOs;

namespace Echain.Core.Chain.Rpc;

/// <summary>
/// A log as eth_getLogs returns it, undecoded. Hex strings are lowercase with 0x; <paramref name="Topics"/>[0] is the
/// event's signature hash.
/// </summary>
public sealed record ChainLog(
    string Address,
    IReadOnlyList<string> Topics,
    string Data,
    long BlockNumber,
    string BlockHash,
    string TransactionHash,
    int LogIndex,
    bool Removed)
{
    /// <summary>Nethereum's eth_getLogs entry, hex lowercased (nodes differ in case; keys and comparisons must not).</summary>
    public static ChainLog From(FilterLog log) => new(
        log.Address.ToLowerInvariant(),
        (log.Topics ?? []).Select(t => (t?.ToString() ?? "").ToLowerInvariant()).ToArray(),
        (log.Data ?? "0x").ToLowerInvariant(),
        checked((long)log.BlockNumber.Value),
        log.BlockHash.ToLowerInvariant(),
        log.TransactionHash.ToLowerInvariant(),
        checked((int)log.LogIndex.Value),
        log.Removed);
}

/// <summary>The parts of a block header the reconciler needs: which block it is, what it builds on, and its time.</summary>
public sealed record BlockHeader(long Number, string Hash, string ParentHash, DateTimeOffset Timestamp);
