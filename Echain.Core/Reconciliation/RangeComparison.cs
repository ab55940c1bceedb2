using Echain.Core.Chain;

namespace Echain.Core.Reconciliation;

/// <summary>
/// How the applied logs of a block range differ from the canonical logs of the same range.
/// </summary>
/// <param name="Missing">Canonical logs not applied at all.</param>
/// <param name="Moved">Canonical logs applied from another block or another hash: the applied copy is from a fork.</param>
/// <param name="Unverified">Canonical logs applied at the same block by a webhook (no hash yet): equal unless their parameters differ.</param>
/// <param name="Gone">Applied copies the canonical range does not hold (under their key).</param>
public sealed record RangeDifferences(
    IReadOnlyList<ChainEvent> Missing,
    IReadOnlyList<ChainEvent> Moved,
    IReadOnlyList<ChainEvent> Unverified,
    IReadOnlyList<AppliedCopy> Gone)
{
    public bool None => Missing.Count == 0 && Moved.Count == 0 && Unverified.Count == 0 && Gone.Count == 0;
}

/// <summary>The comparison itself, pure: canonical logs (read from a node, hashes known) against the applied copies.</summary>
public static class RangeComparison
{
    public static RangeDifferences Compare(IReadOnlyList<ChainEvent> canonical, IReadOnlyDictionary<LogKey, AppliedCopy> applied)
    {
        List<ChainEvent> missing = [], moved = [], unverified = [];
        var seen = new HashSet<LogKey>();
        foreach (var log in canonical)
        {
            seen.Add(log.Key);
            if (!applied.TryGetValue(log.Key, out var copy)) missing.Add(log);
            else if (copy.BlockNumber != log.BlockNumber) moved.Add(log);
            else if (copy.BlockHash is null) unverified.Add(log);
            else if (!string.Equals(copy.BlockHash, log.BlockHash, StringComparison.OrdinalIgnoreCase)) moved.Add(log);
        }
        var gone = applied.Values.Where(c => !seen.Contains(c.Key)).OrderBy(c => c.BlockNumber).ThenBy(c => c.Key.LogIndex).ToList();
        return new RangeDifferences(missing, moved, unverified, gone);
    }
}
