namespace Echain.Demo.Emulator;

/// <summary>
/// The misbehaviour CDP is allowed and a receiver must survive, on demand: drops, duplicates and
/// reordering. Decisions come from one random source, seeded for repeatable runs.
/// </summary>
public sealed class DeliveryChaos
{
    private readonly double _duplicateRate;
    private readonly int _shuffleWindow;
    private readonly double _dropRate;
    private readonly Random _random;
    private readonly EmulatorCounters _counters;
    private readonly Action<CdpDelivery> _release;
    private readonly Action<CdpDelivery> _dropped;
    private readonly List<CdpDelivery> _held = [];
    private readonly Lock _lock = new();

    public DeliveryChaos(EmulatorOptions options, EmulatorCounters counters, Action<CdpDelivery> release, Action<CdpDelivery> dropped)
    {
        _dropped = dropped;
        _duplicateRate = options.DuplicateRate;
        _shuffleWindow = options.ShuffleWindow;
        _dropRate = options.DropRate;
        _random = options.Seed is { } seed ? new Random(seed) : new Random();
        _counters = counters;
        _release = release;
    }

    /// <summary>Deliveries accepted but not yet released (held for shuffling).</summary>
    public int Held
    {
        get { lock (_lock) return _held.Count; }
    }

    public void Accept(CdpDelivery delivery)
    {
        lock (_lock)
        {
            if (_dropRate > 0 && _random.NextDouble() < _dropRate)
            {
                _counters.Dropped();
                _dropped(delivery);
                return;
            }
            Hold(delivery);
            if (_duplicateRate > 0 && _random.NextDouble() < _duplicateRate)
            {
                _counters.Duplicated();
                Hold(delivery);
            }
        }
    }

    /// <summary>Releases everything held, in random order: called when the chain is idle, so nothing waits for a full window.</summary>
    public void Flush()
    {
        lock (_lock)
            while (_held.Count > 0)
                ReleaseRandom();
    }

    private void Hold(CdpDelivery delivery)
    {
        _held.Add(delivery);
        // A full window lets one random delivery out, so any held one may overtake any other.
        if (_held.Count >= Math.Max(1, _shuffleWindow))
            ReleaseRandom();
    }

    private void ReleaseRandom()
    {
        var index = _held.Count == 1 ? 0 : _random.Next(_held.Count);
        var delivery = _held[index];
        _held.RemoveAt(index);
        _release(delivery);
    }
}
