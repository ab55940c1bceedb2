using Echain.Core.Chain;
using Echain.Core.Reconciliation;

namespace Echain.Tests.Reconciliation;

/// <summary>The comparison of a range's canonical logs with its applied copies (pure).</summary>
public sealed class RangeComparisonTests
{
    private const string Network = "base-sepolia";

    [Fact]
    public void Each_kind_of_difference_is_found_and_an_equal_range_has_none()
    {
        var same = Log("0xa1", 0, 10, "0xh10");
        var missing = Log("0xa2", 0, 11, "0xh11");
        var unverified = Log("0xa3", 1, 12, "0xh12");
        var otherBlock = Log("0xa4", 0, 13, "0xh13");
        var otherHash = Log("0xa5", 2, 14, "0xh14");
        var applied = new Dictionary<LogKey, AppliedCopy>
        {
            [same.Key] = Copy(same, 10, "0xh10"),
            [unverified.Key] = Copy(unverified, 12, null),
            [otherBlock.Key] = Copy(otherBlock, 12, null),
            [otherHash.Key] = Copy(otherHash, 14, "0xdead"),
            [new LogKey(Network, "0xgone", 3)] = new(new LogKey(Network, "0xgone", 3), 12, null, "Transfer", "0xc"),
        };

        var differences = RangeComparison.Compare([same, missing, unverified, otherBlock, otherHash], applied);

        Assert.Equal([missing], differences.Missing);
        Assert.Equal([otherBlock, otherHash], differences.Moved);
        Assert.Equal([unverified], differences.Unverified);
        Assert.Equal("0xgone", Assert.Single(differences.Gone).Key.TransactionHash);
        Assert.False(differences.None);
        Assert.True(RangeComparison.Compare([same], new Dictionary<LogKey, AppliedCopy> { [same.Key] = Copy(same, 10, "0xH10") }).None);
    }

    [Fact]
    public void The_import_share_counts_blocks_from_the_start_block()
    {
        var now = DateTimeOffset.UtcNow;
        Assert.Equal(50, new ChainCheckpoint(Network, 100, 199, 149, null, null, now).ImportPercent);
        Assert.True(new ChainCheckpoint(Network, 100, 199, 149, null, null, now).Importing);
        Assert.False(new ChainCheckpoint(Network, 100, 199, 199, null, null, now).Importing);
        Assert.Equal(100, new ChainCheckpoint(Network, 100, 99, 99, null, null, now).ImportPercent); // nothing to import
    }

    private static ChainEvent Log(string tx, int index, long block, string hash) =>
        new(Network, tx, index, block, null, "0xc", "Transfer", new Dictionary<string, string>(), BlockHash: hash);

    private static AppliedCopy Copy(ChainEvent e, long block, string? hash) => new(e.Key, block, hash, e.EventName, e.Contract);
}
