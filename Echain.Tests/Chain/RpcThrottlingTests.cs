using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Echain.Core;
using Echain.Core.Chain.Rpc;
using Echain.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Echain.Tests.Chain;

/// <summary>
/// Failover when a node throttles, fails again and again, or refuses a log range: real HTTP through
/// <see cref="FaultyRpcProxy"/> in front of a real anvil. The client's clock is shifted by hand, so pauses are
/// checked without waiting for them.
/// </summary>
public sealed class RpcThrottlingTests(AnvilServer anvil) : IClassFixture<AnvilServer>
{
    [Fact]
    public async Task A_throttled_node_is_asked_last_for_as_long_as_its_retry_after_says_and_the_next_node_answers()
    {
        await using var throttled = await FaultyRpcProxy.StartAsync(anvil.RpcUrl);
        var clock = new ShiftedClock();
        using var rpc = Client(clock, throttled.Url, anvil.RpcUrl);
        using var metrics = new RpcMeasurements();
        throttled.RateLimited(TimeSpan.FromSeconds(20));

        var first = await rpc.HeadAsync(CancellationToken.None);
        clock.Advance(TimeSpan.FromSeconds(10)); // past any backoff of a first failure, within the Retry-After
        var second = await rpc.HeadAsync(CancellationToken.None);
        var askedWhilePaused = throttled.Requests("eth_blockNumber");
        clock.Advance(TimeSpan.FromSeconds(11));
        throttled.Healthy();
        var afterPause = await rpc.HeadAsync(CancellationToken.None);

        Assert.Equal((1, 1, 0), (first.Endpoint.Index, second.Endpoint.Index, afterPause.Endpoint.Index));
        Assert.Equal(1, askedWhilePaused);
        Assert.Contains(("echain.rpc.duration", "eth_blockNumber", 0, "rate-limited"), metrics.Seen);
        Assert.Contains(("echain.rpc.errors", "eth_blockNumber", 0, "rate-limited"), metrics.Seen);
        Assert.Contains(("echain.rpc.duration", "eth_blockNumber", 1, "ok"), metrics.Seen);
    }

    [Fact]
    public async Task A_failing_node_is_paused_1_2_4_8_seconds_up_to_30_and_an_answer_starts_over()
    {
        await using var failing = await FaultyRpcProxy.StartAsync(anvil.RpcUrl);
        var clock = new ShiftedClock();
        using var rpc = Client(clock, failing.Url, anvil.RpcUrl);
        failing.Unavailable();
        var asked = new List<int>();
        async Task CallAfter(double seconds)
        {
            clock.Advance(TimeSpan.FromSeconds(seconds));
            await rpc.HeadAsync(CancellationToken.None);
            asked.Add(failing.Requests("eth_blockNumber"));
        }

        // Each pair: just inside the pause (not asked), then just past it (asked, failing again).
        foreach (var seconds in new[] { 0, 0.5, 1, 1, 1.5, 3, 1.5, 7, 1.5 }) await CallAfter(seconds);
        Assert.Equal([1, 1, 2, 2, 3, 3, 4, 4, 5], asked);

        failing.Healthy();
        await CallAfter(16.5); // past the fifth pause (16 s)
        var recovered = (await rpc.HeadAsync(CancellationToken.None)).Endpoint.Index;
        failing.Unavailable();
        asked.Clear();
        foreach (var seconds in new[] { 0, 1.5 }) await CallAfter(seconds); // one failure after an answer: paused 1 s again
        foreach (var _ in Enumerable.Range(0, 5)) await CallAfter(31); // 4, 8, 16, then 30 instead of 32 and 64

        Assert.Equal(0, recovered);
        Assert.Equal([8, 9, 10, 11, 12, 13, 14], asked);
    }

    [Fact]
    public async Task A_refused_log_range_is_not_a_node_failure_the_node_stays_first_and_no_other_is_asked()
    {
        await using var limited = await FaultyRpcProxy.StartAsync(anvil.RpcUrl);
        await using var second = await FaultyRpcProxy.StartAsync(anvil.RpcUrl);
        using var rpc = Client(new ShiftedClock(), limited.Url, second.Url);
        limited.MaxLogRange(5);
        string[] addresses = [TestLedger.RandomAddress()];

        var refusal = await Assert.ThrowsAsync<LogRangeRefusedException>(() => rpc.GetLogsAsync(addresses, 0, 9, CancellationToken.None));
        var head = await rpc.HeadAsync(CancellationToken.None);
        var accepted = await rpc.GetLogsAsync(addresses, 0, 4, CancellationToken.None);

        Assert.Equal((0, 0), (head.Endpoint.Index, accepted.Endpoint.Index));
        Assert.Equal((2, 0, 0), (limited.Requests("eth_getLogs"), second.Requests("eth_getLogs"), second.Requests("eth_blockNumber")));
        Assert.Equal("eth_getLogs: the node refused the block range (too many blocks or results).", refusal.Message);
    }

    private static FailoverChainRpc Client(TimeProvider clock, params Uri[] urls) =>
        new(Options.Create(new ChainOptions { RpcUrls = [.. urls.Select(u => u.ToString())] }), clock, NullLogger<FailoverChainRpc>.Instance);

    /// <summary>The system's clock moved forward by hand: timers and timeouts stay real, "now" jumps.</summary>
    private sealed class ShiftedClock : TimeProvider
    {
        private TimeSpan _offset;
        public void Advance(TimeSpan by) => _offset += by;
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;
    }

    /// <summary>(instrument, method, node, outcome or kind) of every RPC measurement while it lives; other tests' too.</summary>
    private sealed class RpcMeasurements : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentBag<(string, string?, int?, string?)> _seen = [];

        public RpcMeasurements()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == EchainMetrics.MeterName && instrument.Name.StartsWith("echain.rpc.", StringComparison.Ordinal))
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Add(instrument, tags));
            _listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Add(instrument, tags));
            _listener.Start();
        }

        public IReadOnlyCollection<(string, string?, int?, string?)> Seen => _seen.ToArray();

        private void Add(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? method = null, outcome = null;
            int? node = null;
            foreach (var (key, value) in tags)
                switch (key)
                {
                    case "method": method = value as string; break;
                    case "node": node = value as int?; break;
                    case "outcome" or "kind": outcome = value as string; break;
                }
            _seen.Add((instrument.Name, method, node, outcome));
        }

        public void Dispose() => _listener.Dispose();
    }
}
