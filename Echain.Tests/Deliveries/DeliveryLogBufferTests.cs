using System.Diagnostics.Metrics;
using Echain.Core;
using Echain.Core.Deliveries;
using Microsoft.Extensions.Options;

namespace Echain.Tests.Deliveries;

/// <summary>The buffer the webhook records into: bounded, dropping (and counting) the oldest not yet being written.</summary>
public sealed class DeliveryLogBufferTests
{
    private static WebhookDelivery Delivery(int n, int bodyBytes = 10) =>
        new(DateTimeOffset.UnixEpoch.AddSeconds(n), 202, "accepted", null, null, [], $"id-{n}", null, [], new byte[bodyBytes]);

    private static DeliveryLogBuffer Buffer(int size, int maxBody = 1024) =>
        new(Options.Create(new DeliveryLogOptions { BufferSize = size, MaxBodyBytes = maxBody }));

    [Fact]
    public void Beyond_BufferSize_the_oldest_not_in_flight_are_dropped_and_counted()
    {
        long dropped = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == EchainMetrics.MeterName && instrument.Name == "echain.deliveries.dropped") l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag is { Key: "reason", Value: "overflow" }) Interlocked.Add(ref dropped, value);
        });
        listener.Start();

        var buffer = Buffer(size: 4);
        for (var n = 1; n <= 3; n++) buffer.Record(Delivery(n));
        var inFlight = buffer.Take(2);
        Assert.Equal(["id-1", "id-2"], inFlight.Select(d => d.Delivery.EventId));
        for (var n = 4; n <= 7; n++) buffer.Record(Delivery(n));

        // 2 in flight + 2 pending: 3, 4 and 5 went, oldest first; the batch being written is kept.
        Assert.Equal(4, buffer.Count);
        Assert.Equal(3, Interlocked.Read(ref dropped));
        Assert.Same(inFlight, buffer.Take(10)); // not written yet: the same batch again
        buffer.Written();
        Assert.Equal(["id-6", "id-7"], buffer.Take(10).Select(d => d.Delivery.EventId));
    }

    [Fact]
    public void The_body_is_copied_and_cut_at_MaxBodyBytes()
    {
        var buffer = Buffer(size: 10, maxBody: 8);
        var body = new byte[20];
        buffer.Record(Delivery(1) with { Body = body });
        body[0] = 0xFF; // the host may reuse its buffer after answering
        var kept = Assert.Single(buffer.Take(1));
        Assert.Equal((8, 20, true), (kept.Delivery.Body.Length, kept.BodyBytes, kept.Truncated));
        Assert.Equal(0, kept.Delivery.Body.Span[0]);
    }
}
