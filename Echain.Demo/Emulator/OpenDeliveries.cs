using System.Collections.Concurrent;

namespace Echain.Demo.Emulator;

/// <summary>
/// Deliveries handed over but not finished (neither answered 2xx, given up nor dropped), by the block
/// of their log. The checkpoint never passes the lowest such block, so an emulator stopped with
/// deliveries in flight reads that block again when it restarts: at least once across restarts too.
/// </summary>
public sealed class OpenDeliveries
{
    private readonly ConcurrentDictionary<string, long> _blocks = new();

    public void Opened(CdpDelivery delivery) => _blocks.TryAdd(delivery.EventId, delivery.Activity.BlockNumber);

    /// <summary>A duplicate finishing after its twin changes nothing: the event is already done.</summary>
    public void Finished(CdpDelivery delivery) => _blocks.TryRemove(delivery.EventId, out _);

    /// <summary>Where a restart must begin: <paramref name="nextBlock"/>, or the lowest block still open.</summary>
    public long SafeRestartBlock(long nextBlock)
    {
        var lowest = nextBlock;
        foreach (var block in _blocks.Values)
            lowest = Math.Min(lowest, block);
        return lowest;
    }
}
