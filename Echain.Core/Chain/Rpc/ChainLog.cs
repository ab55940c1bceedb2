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
    bool Removed);

/// <summary>The parts of a block header the reconciler needs: which block it is, what it builds on, and its time.</summary>
public sealed record BlockHeader(long Number, string Hash, string ParentHash, DateTimeOffset Timestamp);
