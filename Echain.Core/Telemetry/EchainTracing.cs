using System.Diagnostics;
using Echain.Core.Chain;
using Echain.Core.Queue;

namespace Echain.Core.Telemetry;

/// <summary>
/// The "Echain" activity source: one trace per delivery, from the webhook request through the queue message (its W3C
/// trace context travels in the message, <see cref="Queue.QueuedTrace"/>) to the projection, the cache invalidation
/// and the realtime send. Static for the same reason as the meter: ActivitySource is process-wide by design.
/// </summary>
public static class EchainTracing
{
    public const string SourceName = "Echain";
    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>
    /// The span of one queue message, a child of the request that queued it (a new trace when the message carried none).
    /// Null when nothing listens. <paramref name="system"/> is the transport (redis, servicebus) as OpenTelemetry's messaging
    /// conventions name it.
    /// </summary>
    public static Activity? StartProcess(ChainEvent chainEvent, QueuedTrace trace, string system, string queue)
    {
        var activity = Source.StartActivity(Spans.Process, ActivityKind.Consumer, trace.Parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", system);
            activity.SetTag("messaging.destination.name", queue);
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag(Tags.LogKey, chainEvent.Key.ToString());
            activity.SetTag(Tags.EventName, chainEvent.EventName);
            if (chainEvent.DeliveryId is not null) activity.SetTag(Tags.DeliveryId, chainEvent.DeliveryId);
        }
        return activity;
    }

    /// <summary>Marks the span failed with the exception's type (never its message: it may quote a payload).</summary>
    public static void Failed(Activity? activity, Exception exception)
    {
        if (activity is null) return;
        activity.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
        activity.SetTag("error.type", exception.GetType().FullName);
    }

    /// <summary>Span names, stable: dashboards and the tests look them up.</summary>
    public static class Spans
    {
        /// <summary>The webhook's check of signature and payload and the enqueue (inside the HTTP request's span).</summary>
        public const string Ingest = "echain.webhook.ingest";
        /// <summary>One queue message handled by the consumer (standalone) or the queue-triggered function; a child of the ingest.</summary>
        public const string Process = "echain.chain_event.process";
        /// <summary>The projection transaction (its SQL statements are Npgsql's spans beneath it).</summary>
        public const string Project = "echain.projection.apply";
        public const string Invalidate = "echain.cache.invalidate";
        public const string Send = "echain.realtime.send";
    }

    /// <summary>Tag names on Echain's spans.</summary>
    public static class Tags
    {
        public const string LogKey = "echain.log.key";
        public const string EventName = "echain.log.event";
        public const string Outcome = "echain.outcome";
        public const string DeliveryId = "echain.delivery.id";
    }
}
