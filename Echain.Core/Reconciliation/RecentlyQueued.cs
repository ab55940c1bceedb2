using Echain.Core.Chain;

namespace Echain.Core.Reconciliation;

/// <summary>
/// Logs this instance queued lately, so a pass does not queue a log again while the projector has yet to apply the
/// first copy (an import queues thousands at once). Memory only: after a restart, or on another instance, a log may
/// be queued twice, which the projector's idempotency absorbs.
/// </summary>
public sealed class RecentlyQueued(TimeProvider time)
{
    public static readonly TimeSpan Hold = TimeSpan.FromMinutes(5);

    private readonly Dictionary<(LogKey Key, long Block, bool Removed), DateTimeOffset> _queued = [];
    private readonly Lock _lock = new();

    /// <summary>True when the same copy (key, block, removal or not) was queued within <see cref="Hold"/>.</summary>
    public bool Contains(ChainEvent e)
    {
        lock (_lock)
            return _queued.TryGetValue((e.Key, e.BlockNumber, e.Removed), out var at) && time.GetUtcNow() - at < Hold;
    }

    public void Add(IEnumerable<ChainEvent> events)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            foreach (var e in events) _queued[(e.Key, e.BlockNumber, e.Removed)] = now;
            if (_queued.Count > 100_000)
                foreach (var stale in _queued.Where(p => now - p.Value >= Hold).Select(p => p.Key).ToList()) _queued.Remove(stale);
        }
    }
}
