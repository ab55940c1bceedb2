using Echain.Core.Chain;

namespace Echain.Core.Processing;

/// <summary>
/// Consecutive logs of a lane that are applied in one transaction. A removal is alone (it undoes its copy and sequences its
/// corrections at once, which must not hold stream locks under other logs' work), and no key is in a batch twice (a second
/// copy must see what the first one stored).
/// </summary>
internal sealed class LogBatch
{
    private readonly IReadOnlyList<QueuedLog> _lane;
    private readonly int _start;

    private LogBatch(IReadOnlyList<QueuedLog> lane, int start, int count)
    {
        _lane = lane;
        _start = start;
        Count = count;
    }

    public int Count { get; }

    public QueuedLog this[int index] => index >= 0 && index < Count ? _lane[_start + index] : throw new ArgumentOutOfRangeException(nameof(index));

    /// <summary>The positions of the batch's logs in the lane.</summary>
    public IEnumerable<int> Indices => Enumerable.Range(_start, Count);

    public IReadOnlyList<ChainEvent> Events => Indices.Select(i => _lane[i].Event).ToArray();

    public static LogBatch One(IReadOnlyList<QueuedLog> lane, int index) => new(lane, index, 1);

    /// <summary>The lane cut into batches, in order.</summary>
    public static IEnumerable<LogBatch> Of(IReadOnlyList<QueuedLog> lane)
    {
        var start = 0;
        var keys = new HashSet<LogKey>();
        for (var i = 0; i < lane.Count; i++)
        {
            var log = lane[i].Event;
            if (log.Removed || !keys.Add(log.Key))
            {
                if (i > start) yield return new LogBatch(lane, start, i - start);
                keys.Clear();
                if (log.Removed)
                {
                    yield return One(lane, i);
                    start = i + 1;
                    continue;
                }
                keys.Add(log.Key);
                start = i;
            }
        }
        if (lane.Count > start) yield return new LogBatch(lane, start, lane.Count - start);
    }
}
