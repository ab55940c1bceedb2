using System.Threading.Channels;
using Microsoft.Extensions.Options;

namespace Echain.Core.Deliveries;

/// <summary>A delivery waiting to be written: the kept (possibly cut) body and the size that arrived.</summary>
public sealed record BufferedDelivery(WebhookDelivery Delivery, int BodyBytes)
{
    public bool Truncated => Delivery.Body.Length < BodyBytes;
}

/// <summary>
/// The <see cref="IDeliveryLog"/> the webhook records into: a bounded in-memory buffer, so that recording costs a
/// copy of the (capped) body and a lock, never a round trip. The delivery log writer drains it in batches. Beyond
/// Echain:Deliveries:BufferSize the oldest deliveries not yet being written are dropped and counted
/// (<see cref="EchainMetrics.DeliveriesDropped"/>): the webhook's answer never waits on the log.
/// </summary>
public sealed class DeliveryLogBuffer(IOptions<DeliveryLogOptions> options) : IDeliveryLog
{
    private readonly object _gate = new();
    private readonly Queue<BufferedDelivery> _pending = new();
    // The batch being written: kept here, not by the writer, so that a write cut short by shutdown is flushed, not lost.
    private BufferedDelivery[] _inFlight = [];
    // One pending wake-up is enough: the writer takes everything there is when it wakes.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Deliveries held, including the batch being written.</summary>
    public int Count
    {
        get { lock (_gate) return _pending.Count + _inFlight.Length; }
    }

    public void Record(WebhookDelivery delivery)
    {
        var o = options.Value;
        var size = delivery.Body.Length;
        // A copy: the host may reuse the request's buffer once the webhook has answered.
        var kept = delivery.Body[..Math.Min(size, o.MaxBodyBytes)].ToArray();
        var entry = new BufferedDelivery(delivery with { Body = kept }, size);
        var dropped = 0;
        lock (_gate)
        {
            _pending.Enqueue(entry);
            while (_pending.Count + _inFlight.Length > o.BufferSize && _pending.Count > 1)
            {
                _pending.Dequeue();
                dropped++;
            }
        }
        if (dropped > 0) EchainMetrics.CountDeliveriesDropped(dropped, "overflow");
        _wake.Writer.TryWrite(true);
    }

    /// <summary>
    /// The batch in flight if one was not <see cref="Written"/> yet (a write that failed or was cut short), otherwise up
    /// to <paramref name="max"/> of the oldest deliveries, then in flight until <see cref="Written"/>.
    /// </summary>
    public IReadOnlyList<BufferedDelivery> Take(int max)
    {
        lock (_gate)
        {
            if (_inFlight.Length > 0) return _inFlight;
            var batch = new List<BufferedDelivery>(Math.Min(max, _pending.Count));
            while (batch.Count < max && _pending.TryDequeue(out var entry)) batch.Add(entry);
            _inFlight = [.. batch];
            return _inFlight;
        }
    }

    /// <summary>The batch in flight is written (or given up): it no longer counts toward the buffer.</summary>
    public void Written()
    {
        lock (_gate) _inFlight = [];
    }

    /// <summary>Completes when something was recorded since the last wake-up.</summary>
    public ValueTask<bool> WaitAsync(CancellationToken ct) => _wake.Reader.ReadAsync(ct);
}
