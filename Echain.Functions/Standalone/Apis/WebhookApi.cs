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
        RawBody body;
        try
        {
            body = await RawBody.ReadAsync(request, options.Value.MaxBodyBytes, ct);
        }
        catch (BadHttpRequestException)
        {
            // The sender hung up or lied about Content-Length: nothing to verify, nothing queued (Kestrel's text stays out).
            return Problems.From(ApiProblem.BadRequest(BadRequestProblems.Unreadable));
        }
        using (body)
        {
            // The ingest is done with the bytes when it returns (the delivery log keeps its own copy): the buffer goes back then.
            var result = await ingest.HandleAsync(
                new WebhookRequest(request.Method, request.ContentType, new RequestHeaderView(request.Headers), body.Bytes, body.TooLarge), ct);
            return result.Problem is not null
                ? Problems.From(result.Problem)
                : TypedResults.Accepted((string?)null, result.Receipt);
        }
    }

    /// <summary>The exact bytes the sender signed, read once into a pooled buffer, refusing to buffer more than the limit.</summary>
    private sealed class RawBody : IDisposable
    {
        private byte[] _buffer;
        private int _length;

        private RawBody(byte[] buffer, bool tooLarge)
        {
            _buffer = buffer;
            TooLarge = tooLarge;
        }

        public bool TooLarge { get; private set; }

        public ReadOnlyMemory<byte> Bytes => _buffer.AsMemory(0, _length);

        public static async Task<RawBody> ReadAsync(HttpRequest request, long limit, CancellationToken ct)
        {
            if (request.ContentLength > limit) return new RawBody([], tooLarge: true);
            // One byte more than Content-Length: a body longer than announced needs no second read to be noticed.
            var body = new RawBody(ArrayPool<byte>.Shared.Rent(request.ContentLength is > 0 and var n ? (int)n + 1 : 4096), tooLarge: false);
            try
            {
                while (true)
                {
                    if (body._length == body._buffer.Length) body.Grow();
                    var read = await request.Body.ReadAsync(body._buffer.AsMemory(body._length), ct);
                    if (read == 0) return body;
                    body._length += read;
                    if (body._length > limit)
                    {
                        body._length = 0;
                        body.TooLarge = true;
                        return body;
                    }
                }
            }
            catch
            {
                body.Dispose();
                throw;
            }
        }

        private void Grow()
        {
            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            _buffer.AsSpan(0, _length).CopyTo(larger);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }

        public void Dispose()
        {
            if (_buffer.Length > 0) ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
            _length = 0;
        }
    }
}
