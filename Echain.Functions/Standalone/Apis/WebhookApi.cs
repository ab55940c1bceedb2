using System.Buffers;
using Echain.Core;
using Echain.Core.Webhooks;
using Echain.Functions.Shared.Http;
using Echain.Functions.Shared.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Echain.Functions.Standalone.Apis;

/// <summary>CoinbaseWebhook: verify on the raw body, queue, answer 202 in milliseconds.</summary>
public static class WebhookApi
{
    public const string Route = "/api/webhooks/coinbase";

    /// <summary>
    /// Per sending address, far above CDP's rate (Echain:RateLimits:Webhook): not per the subscription or secret a
    /// delivery claims, because nothing verified the claim yet when the limiter runs and a forger could name a new one each time.
    /// </summary>
    private static readonly RateLimitedAs Limited = new(RateLimitPolicy.Webhook);

    public static IEndpointRouteBuilder MapWebhookApi(this IEndpointRouteBuilder app)
    {
        app.MapPost(Route, ReceiveAsync).DisableAntiforgery()
            .Accepts<System.Text.Json.Nodes.JsonObject>("application/json")
            .WithMetadata(
                new RequestHeader("X-Hook0-Signature", true, "t=<unix seconds>,h=<signed header names>,v1=<hex HMAC-SHA256>: verified over the raw body."),
                new RequestHeader("X-Hook0-Id", false, "The delivery id; the idempotency id when X-Event-Id is absent."),
                new RequestHeader("X-Event-Id", false, "The event id CDP sends; the idempotency id."))
            .ProducesProblems(400, 401, 405, 413, 415, 429).WithTags("Webhook")
            .WithMetadata(Limited);
        // Every other method reaches the handler too, so that it is a problem+json 405 the delivery log records, not
        // routing's. Order 1: for POST the described endpoint above wins instead of the two being ambiguous.
        app.Map(Route, ReceiveAsync).DisableAntiforgery().WithOrder(1).ExcludeFromDescription().WithMetadata(Limited);
        return app;
    }

    private static async Task<Results<Accepted<WebhookReceipt>, ApiProblemResult>> ReceiveAsync(
        HttpRequest request, CoinbaseWebhookIngest ingest, IOptions<CoinbaseOptions> options, CancellationToken ct)
    {
        ReadOnlyMemory<byte> body;
        bool tooLarge;
        try
        {
            (body, tooLarge) = await ReadRawBodyAsync(request, options.Value.MaxBodyBytes, ct);
        }
        catch (BadHttpRequestException)
        {
            // The sender hung up or lied about Content-Length: nothing to verify, nothing queued (Kestrel's text stays out).
            return Problems.From(ApiProblem.BadRequest(BadRequestProblems.Unreadable));
        }
        var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var result = await ingest.HandleAsync(new WebhookRequest(request.Method, request.ContentType, headers, body, tooLarge), ct);
        return result.Problem is not null
            ? Problems.From(result.Problem)
            : TypedResults.Accepted((string?)null, result.Receipt);
    }

    /// <summary>The exact bytes the sender signed, refusing to buffer more than the limit.</summary>
    private static async Task<(ReadOnlyMemory<byte> Body, bool TooLarge)> ReadRawBodyAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        if (request.ContentLength > limit) return (ReadOnlyMemory<byte>.Empty, true);
        var buffer = new ArrayBufferWriter<byte>(request.ContentLength is > 0 and var n ? (int)n : 4096);
        while (true)
        {
            var memory = buffer.GetMemory(8192);
            var read = await request.Body.ReadAsync(memory, ct);
            if (read == 0) return (buffer.WrittenMemory, false);
            buffer.Advance(read);
            if (buffer.WrittenCount > limit) return (ReadOnlyMemory<byte>.Empty, true);
        }
    }
}
