using Echain.Core.Chain;
using Echain.Core.Deliveries;
using Echain.Core.Queue;
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

    private readonly CoinbaseSignature _signature;
    private readonly IChainEventQueue _queue;
    private readonly IOptions<CoinbaseOptions> _coinbase;
    private readonly ContractLogDecoder _decoder;
    private readonly IDeliveryLog _deliveries;
    private readonly TimeProvider _time;
    private readonly ILogger<CoinbaseWebhookIngest> _logger;

    public CoinbaseWebhookIngest(
        CoinbaseSignature signature,
        IChainEventQueue queue,
        IOptions<CoinbaseOptions> coinbase,
        ContractLogDecoder decoder,
        IDeliveryLog deliveries,
        TimeProvider time,
        ILogger<CoinbaseWebhookIngest> logger)
    {
        _signature = signature;
        _queue = queue;
        _coinbase = coinbase;
        _decoder = decoder;
        _deliveries = deliveries;
        _time = time;
        _logger = logger;
    }

    public async Task<IngestResult> HandleAsync(WebhookRequest request, CancellationToken cancellationToken)
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
        var deliveryId = delivery.EventId;
        var parsed = CoinbaseWebhookParser.Parse(delivery.Body, deliveryId);
        if (parsed.Error is { } error)
        {
            // The signature was valid, so this is Coinbase (or our feed) sending something we cannot read: worth a look.
            _logger.LogWarning("Webhook {DeliveryId} rejected: {Kind} {Field}: {Message}", deliveryId, error.Kind, error.Field, error.Message);
            return Reject(delivery, "bad-request", ApiProblem.BadRequest(error.Message, error.Field), error.Field);
        }

        var wanted = new List<ChainEvent>(parsed.Events.Count);
        var ignored = 0;
        foreach (var chainEvent in parsed.Events)
        {
            // Classified only: a malformed parameter is queued and refused by the projector, as poison.
            if (_decoder.IgnoreReason(chainEvent) is { } reason)
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
                ids = await _queue.EnqueueAsync(wanted, cancellationToken);
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

        Count("accepted");
        Record(delivery, 202, "accepted", null, null);
        return new IngestResult(202, null, new WebhookReceipt(wanted.Count, ignored, ids));
    }

    /// <summary>X-Event-Id when the sender gave one (the delivery's own idempotency key; the natural key always applies too).</summary>
    private static string? EventId(IReadOnlyDictionary<string, string> headers) =>
        WebhookHeaders.TryGet(headers, DeliveryIdHeader, out var id) && id.Length > 0 ? id : null;

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

    private IngestResult Reject(Delivery delivery, string outcome, ApiProblem problem, string? field = null)
    {
        Count(outcome);
        Record(delivery, problem.Status, outcome, problem.Detail, field);
        return IngestResult.Fail(problem);
    }

    private void Record(Delivery delivery, int status, string outcome, string? reason, string? field) =>
        _deliveries.Record(new WebhookDelivery(delivery.ReceivedAt, status, outcome, reason, field, delivery.SignedHeaders,
            delivery.EventId, EventType: null, delivery.Keys, delivery.Body, delivery.ReplayOf));

    /// <summary>What is known about the delivery so far, as the checks go.</summary>
    private sealed record Delivery(
        DateTimeOffset ReceivedAt, ReadOnlyMemory<byte> Body, string? EventId, long? ReplayOf, IReadOnlyList<string> SignedHeaders)
    {
        public IReadOnlyList<LogKey> Keys { get; init; } = [];
    }

    private static void Count(string outcome) =>
        EchainMetrics.WebhooksReceived.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
