using Echain.Core.Chain;
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
/// </summary>
public sealed class CoinbaseWebhookIngest
{
    public const string DeliveryIdHeader = "X-Event-Id";

    private readonly CoinbaseSignature _signature;
    private readonly IChainEventQueue _queue;
    private readonly IOptions<CoinbaseOptions> _coinbase;
    private readonly ContractLogDecoder _decoder;
    private readonly ILogger<CoinbaseWebhookIngest> _logger;

    public CoinbaseWebhookIngest(
        CoinbaseSignature signature,
        IChainEventQueue queue,
        IOptions<CoinbaseOptions> coinbase,
        ContractLogDecoder decoder,
        ILogger<CoinbaseWebhookIngest> logger)
    {
        _signature = signature;
        _queue = queue;
        _coinbase = coinbase;
        _decoder = decoder;
        _logger = logger;
    }

    public async Task<IngestResult> HandleAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        if (!string.Equals(request.Method, "POST", StringComparison.OrdinalIgnoreCase))
            return Reject("method-not-allowed", ApiProblem.MethodNotAllowed(request.Method));

        if (request.BodyTooLarge)
            return Reject("too-large", ApiProblem.PayloadTooLarge(_coinbase.Value.MaxBodyBytes));

        if (!IsJson(request.ContentType))
            return Reject("unsupported-media-type", ApiProblem.UnsupportedMediaType(request.ContentType));

        var check = _signature.Verify(request.Headers, request.Body.Span);
        if (!check.IsValid)
        {
            _logger.LogWarning("Webhook rejected: signature {Failure}: {Detail}", check.Failure, check.Detail);
            return Reject("unauthorized", ApiProblem.InvalidSignature(check.Detail));
        }

        var deliveryId = WebhookHeaders.TryGet(request.Headers, DeliveryIdHeader, out var id) && id.Length > 0 ? id : null;
        var parsed = CoinbaseWebhookParser.Parse(request.Body, deliveryId);
        if (parsed.Error is { } error)
        {
            // The signature was valid, so this is Coinbase (or our feed) sending something we cannot read: worth a look.
            _logger.LogWarning("Webhook {DeliveryId} rejected: {Kind} {Field}: {Message}", deliveryId, error.Kind, error.Field, error.Message);
            return Reject("bad-request", ApiProblem.BadRequest(error.Message, error.Field));
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
                return Reject("queue-unavailable",
                    ApiProblem.ServiceUnavailable("The event queue is unavailable; retry later."));
            }
            EchainMetrics.EventsQueued.Add(wanted.Count);
        }

        Count("accepted");
        return new IngestResult(202, null, new WebhookReceipt(wanted.Count, ignored, ids));
    }

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

    private static IngestResult Reject(string outcome, ApiProblem problem)
    {
        Count(outcome);
        return IngestResult.Fail(problem);
    }

    private static void Count(string outcome) =>
        EchainMetrics.WebhooksReceived.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
