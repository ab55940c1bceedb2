using Echain.Core.Chain;
using Echain.Core.Deliveries;
using Echain.Core.Queue;
using Echain.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Echain.Core.Webhooks;

/// <summary>An HTTP request as either host hands it over. <paramref name="Headers"/> should compare names case-insensitively.</summary>
public sealed record WebhookRequest(
    string Method,
    string? ContentType,
    IReadOnlyDictionary<string, string> Headers,
    ReadOnlyMemory<byte> Body,
    bool BodyTooLarge);

/// <summary><paramref name="Accepted"/> events were queued under <paramref name="Ids"/>; <paramref name="Ignored"/> were acknowledged only.</summary>
public sealed record WebhookReceipt(int Accepted, int Ignored, IReadOnlyList<string> Ids);

/// <summary>Exactly one of <paramref name="Problem"/> (errors) and <paramref name="Receipt"/> (202) is set.</summary>
public sealed record IngestResult(int StatusCode, ApiProblem? Problem, WebhookReceipt? Receipt)
{
    public static IngestResult Fail(ApiProblem problem) => new(problem.Status, problem, null);
}

/// <summary>
/// The webhook function's whole decision, host-agnostic: check method, size, media type, signature and payload,
/// then queue the events that Echain projects and acknowledge the rest. Nothing is queued unless every check passed.
/// Every delivery, accepted or rejected, goes to the <see cref="IDeliveryLog"/>.
/// </summary>
public sealed class CoinbaseWebhookIngest
{
    public const string DeliveryIdHeader = "X-Event-Id";
    /// <summary>Hook0's own delivery id, on CDP's envelope deliveries: the delivery id when X-Event-Id is absent.</summary>
    public const string Hook0IdHeader = "X-Hook0-Id";

    private readonly CoinbaseSignature _signature;
    private readonly IChainEventQueue _queue;
    private readonly IOptions<CoinbaseOptions> _coinbase;
    private readonly ContractLogDecoder _decoder;
    private readonly IDeliveryLog _deliveries;
    private readonly ICdpHealthStore _cdpHealth;
    private readonly TimeProvider _time;
    private readonly ILogger<CoinbaseWebhookIngest> _logger;

    public CoinbaseWebhookIngest(
        CoinbaseSignature signature,
        IChainEventQueue queue,
        IOptions<CoinbaseOptions> coinbase,
        ContractLogDecoder decoder,
        IDeliveryLog deliveries,
        ICdpHealthStore cdpHealth,
        TimeProvider time,
        ILogger<CoinbaseWebhookIngest> logger)
    {
        _cdpHealth = cdpHealth;
        _signature = signature;
        _queue = queue;
        _coinbase = coinbase;
        _decoder = decoder;
        _deliveries = deliveries;
        _time = time;
        _logger = logger;
    }

    /// <summary>One delivery, as its own span: the queued messages carry its context, so their projection joins this trace.</summary>
    public async Task<IngestResult> HandleAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        using var span = EchainTracing.Source.StartActivity(EchainTracing.Spans.Ingest);
        var result = await CheckAndQueueAsync(request, cancellationToken);
        span?.SetTag("http.response.status_code", result.StatusCode);
        return result;
    }

    private async Task<IngestResult> CheckAndQueueAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        var delivery = new Delivery(_time.GetUtcNow(), request.Body, EventId(request.Headers), null, []);

        if (!string.Equals(request.Method, "POST", StringComparison.OrdinalIgnoreCase))
            return Reject(delivery, "method-not-allowed", ApiProblem.MethodNotAllowed(request.Method));

        if (request.BodyTooLarge)
            return Reject(delivery, "too-large", ApiProblem.PayloadTooLarge(_coinbase.Value.MaxBodyBytes));

        if (!IsJson(request.ContentType))
            return Reject(delivery, "unsupported-media-type", ApiProblem.UnsupportedMediaType(request.ContentType));

        var check = _signature.Verify(request.Headers, request.Body.Span);
        delivery = delivery with { SignedHeaders = check.SignedHeaders ?? [] };
        if (!check.IsValid)
        {
            _logger.LogWarning("Webhook rejected: signature {Failure}: {Detail}", check.Failure, check.Detail);
            return Reject(delivery, "unauthorized", ApiProblem.InvalidSignature(check.Detail));
        }
        return await AcceptAsync(delivery, cancellationToken);
    }

    /// <summary>
    /// Runs a stored delivery through the same path as a fresh one, after the signature (an operator vouches for it,
    /// and its timestamp has long expired): parse, validate, queue. Recorded as a new delivery replaying <paramref name="replayOf"/>.
    /// </summary>
    public Task<IngestResult> ReplayAsync(ReadOnlyMemory<byte> body, string? eventId, IReadOnlyList<string> signedHeaders,
        long replayOf, CancellationToken cancellationToken) =>
        AcceptAsync(new Delivery(_time.GetUtcNow(), body, eventId, replayOf, signedHeaders), cancellationToken);

    private async Task<IngestResult> AcceptAsync(Delivery delivery, CancellationToken cancellationToken)
    {
        var parsed = CoinbaseWebhookParser.Parse(delivery.Body, delivery.EventId);
        delivery = delivery with { EventType = parsed.EventType, EventId = delivery.EventId ?? parsed.PayloadId };
        var deliveryId = delivery.EventId;
        if (parsed.Error is { } error)
        {
            // The signature was valid, so this is Coinbase (or our feed) sending something we cannot read: worth a look.
            _logger.LogWarning("Webhook {DeliveryId} rejected: {Kind} {Field}: {Message}", deliveryId, error.Kind, error.Field, error.Message);
            return Reject(delivery, "bad-request", ApiProblem.BadRequest(error.Message, error.Field));
        }

        switch (parsed.Kind)
        {
            case WebhookPayloadKind.Health:
                return await RecordHealthAsync(delivery, parsed.Health!);
            case WebhookPayloadKind.UnknownType:
                // Acknowledged: refusing would make Coinbase retry it 60 times, and no retry makes it known.
                EchainMetrics.CountUnknownWebhookType(parsed.EventType);
                _logger.LogInformation("Webhook {DeliveryId} of unknown type {Type} acknowledged", deliveryId, parsed.EventType);
                return Accept(delivery, 0, 1, []);
        }

        var wanted = new List<ChainEvent>(parsed.Events.Count);
        var ignored = 0;
        foreach (var chainEvent in parsed.Events)
        {
            // The projector's own decoder: a log it would refuse is refused here, before anything is queued.
            DecodedLog decoded;
            try
            {
                decoded = _decoder.Decode(chainEvent);
            }
            catch (InvalidChainEventException e)
            {
                var field = e.Parameter is null ? parsed.ParametersField
                    : parsed.ParametersField.Length == 0 ? e.Parameter : $"{parsed.ParametersField}.{e.Parameter}";
                _logger.LogWarning("Webhook {DeliveryId} rejected: {Key} can never apply: {Message}", deliveryId, chainEvent.Key, e.Message);
                return Reject(delivery, "bad-request", ApiProblem.BadRequest($"{field}: {e.Message}", field));
            }
            if (decoded.IgnoreReason is { } reason)
            {
                ignored++;
                EchainMetrics.CountIgnored(reason);
            }
            else
            {
                wanted.Add(chainEvent);
            }
        }
        delivery = delivery with { Keys = [.. parsed.Events.Select(e => e.Key)] };

        IReadOnlyList<string> ids = [];
        if (wanted.Count > 0)
        {
            try
            {
                ids = await _queue.EnqueueAsync(wanted, QueuedTrace.Capture(delivery.ReceivedAt), cancellationToken);
            }
            catch (QueueUnavailableException e)
            {
                // 503 makes Coinbase retry with backoff; nothing was acknowledged, so nothing is lost.
                _logger.LogError(e, "Webhook {DeliveryId} not queued: queue unavailable", deliveryId);
                return Reject(delivery, "queue-unavailable",
                    ApiProblem.ServiceUnavailable("The event queue is unavailable; retry later."));
            }
            EchainMetrics.EventsQueued.Add(wanted.Count);
        }
        return Accept(delivery, wanted.Count, ignored, ids);
    }

    private IngestResult Accept(Delivery delivery, int accepted, int ignored, IReadOnlyList<string> ids)
    {
        Count("accepted");
        // Coinbase's deliveries only: an operator's replay says nothing about whether the subscription still delivers.
        if (delivery.ReplayOf is null) KpiMetrics.RecordWebhookAccepted(_time.GetUtcNow());
        Record(delivery, 202, "accepted", null, null);
        return new IngestResult(202, null, new WebhookReceipt(accepted, ignored, ids));
    }

    /// <summary>CDP's health is kept (the newest) and counted; 503 when it cannot be kept, so CDP sends it again.</summary>
    private async Task<IngestResult> RecordHealthAsync(Delivery delivery, CdpHealthUpdate health)
    {
        try
        {
            await _cdpHealth.RecordAsync(health, delivery.ReceivedAt);
        }
        catch (Exception e) when (e is StackExchange.Redis.RedisException or TimeoutException)
        {
            _logger.LogError(e, "CDP health update {DeliveryId} not recorded: Redis unavailable", delivery.EventId);
            return Reject(delivery, "queue-unavailable", ApiProblem.ServiceUnavailable("The health status could not be recorded; retry later."));
        }
        EchainMetrics.CountCdpHealth(health.Status);
        _logger.LogInformation("CDP health: {Service} is {Status} (at {OccurredAt})", health.Service, health.Status, health.OccurredAt);
        return Accept(delivery, 0, 1, []);
    }

    /// <summary>
    /// X-Event-Id, else X-Hook0-Id, when the sender gave one (the delivery's own idempotency key; the natural key
    /// always applies too). Without either, the payload's own id (envelope id, eventId) is used once parsed.
    /// </summary>
    private static string? EventId(IReadOnlyDictionary<string, string> headers) =>
        WebhookHeaders.TryGet(headers, DeliveryIdHeader, out var id) && id.Length > 0 ? id
        : WebhookHeaders.TryGet(headers, Hook0IdHeader, out var hook0) && hook0.Length > 0 ? hook0
        : null;

    /// <summary>application/json or any application/*+json, parameters such as charset allowed.</summary>
    internal static bool IsJson(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType)) return false;
        var semicolon = contentType.IndexOf(';');
        var mediaType = (semicolon < 0 ? contentType : contentType[..semicolon]).Trim();
        return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
               || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase)
                   && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    private IngestResult Reject(Delivery delivery, string outcome, ApiProblem problem)
    {
        Count(outcome);
        Record(delivery, problem.Status, outcome, problem.Detail, problem.Extensions?.GetValueOrDefault("field"));
        return IngestResult.Fail(problem);
    }

    private void Record(Delivery delivery, int status, string outcome, string? reason, string? field)
    {
        KpiMetrics.WebhookDuration.Record((_time.GetUtcNow() - delivery.ReceivedAt).TotalMilliseconds,
            new KeyValuePair<string, object?>("outcome", outcome));
        _deliveries.Record(new WebhookDelivery(delivery.ReceivedAt, status, outcome, reason, field, delivery.SignedHeaders,
            delivery.EventId, delivery.EventType, delivery.Keys, delivery.Body, delivery.ReplayOf));
    }

    /// <summary>What is known about the delivery so far, as the checks go.</summary>
    private sealed record Delivery(
        DateTimeOffset ReceivedAt, ReadOnlyMemory<byte> Body, string? EventId, long? ReplayOf, IReadOnlyList<string> SignedHeaders)
    {
        public IReadOnlyList<LogKey> Keys { get; init; } = [];
        public string? EventType { get; init; }
    }

    private static void Count(string outcome) =>
        EchainMetrics.WebhooksReceived.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
