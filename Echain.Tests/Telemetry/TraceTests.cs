using System.Diagnostics;
using System.Net;
using Echain.Core.Telemetry;
using Echain.Tests.Infrastructure;
using OpenTelemetry.Trace;

namespace Echain.Tests.Telemetry;

/// <summary>
/// One trace from the webhook request to the realtime send, through the Redis Stream message (its context travels in the
/// message), recorded by OpenTelemetry's in-memory exporter added to the real host's tracer provider.
/// </summary>
public sealed class TraceTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2027, 6, 2, 19, 0, 0, TimeSpan.Zero);
    private readonly List<Activity> _spans = [];
    private readonly EchainTestHost _host = new();

    public async Task InitializeAsync()
    {
        _host.ConfigureApp = builder => builder.Services.ConfigureOpenTelemetryTracerProvider(b => b.AddInMemoryExporter(_spans));
        await _host.InitializeAsync();
    }

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Ingest_queue_message_projection_invalidation_and_send_are_one_trace()
    {
        var organizer = await _host.Ledger.NewWalletAsync();
        var created = await _host.Ledger.CreateEventAsync(organizer, "Traced night", "Followed", Start, Start.AddHours(2), 10, 1_000_000);

        // The caller's own trace (as CDP's or a proxy's traceparent would be): HttpClient sends it, the server continues it.
        // Sampled (flag 01): the host's parent-based sampler follows the caller's decision.
        using var caller = new Activity("test-caller").SetIdFormat(ActivityIdFormat.W3C);
        caller.ActivityTraceFlags = ActivityTraceFlags.Recorded;
        caller.Start();
        foreach (var delivery in created.Deliveries)
            Assert.Equal(HttpStatusCode.Accepted, (await _host.Webhooks.SendAsync(delivery)).StatusCode);
        caller.Stop();
        await _host.DrainedAsync();

        var trace = caller.TraceId;
        List<Activity> ours = [];
        await Eventually.TrueAsync(() =>
        {
            lock (_spans) ours = _spans.Where(s => s.TraceId == trace).ToList();
            // StackExchange.Redis' spans are made from its profiler's sessions, drained every few seconds: they come last.
            return ours.Any(s => s.OperationName == EchainTracing.Spans.Send)
                && ours.Any(s => s.Source.Name.Contains("Redis", StringComparison.Ordinal));
        }, "the realtime send's and Redis' spans in the caller's trace");

        var server = Assert.Single(ours, s => s.Kind == ActivityKind.Server && s.DisplayName.Contains("webhooks", StringComparison.Ordinal));
        var ingest = Assert.Single(ours, s => s.OperationName == EchainTracing.Spans.Ingest);
        Assert.Equal(server.SpanId, ingest.ParentSpanId);
        var process = Assert.Single(ours, s => s.OperationName == EchainTracing.Spans.Process);
        Assert.Equal(ingest.SpanId, process.ParentSpanId); // across the queue: the message carried the ingest's context
        Assert.Equal(ActivityKind.Consumer, process.Kind);
        Assert.Equal("redis", process.GetTagItem("messaging.system"));
        Assert.Equal("EventCreated", process.GetTagItem(EchainTracing.Tags.EventName));
        foreach (var step in new[] { EchainTracing.Spans.Project, EchainTracing.Spans.Invalidate, EchainTracing.Spans.Send })
            Assert.Equal(process.SpanId, Assert.Single(ours, s => s.OperationName == step).ParentSpanId);
        var project = ours.Single(s => s.OperationName == EchainTracing.Spans.Project);
        Assert.Equal("applied", project.GetTagItem(EchainTracing.Tags.Outcome));
        // The projection's SQL is Npgsql's spans beneath it (Redis' commands are in the trace too: waited for above).
        Assert.Contains(ours, s => s.Source.Name == "Npgsql" && s.ParentSpanId == project.SpanId);
        Assert.True(ours.All(s => s.Status != ActivityStatusCode.Error), "a span of a good delivery is marked failed");
    }
}
