using System.Globalization;
using Echain.Core;
using Echain.Core.Chain;
using Echain.Core.Deliveries;
using Echain.Core.Queue;
using Echain.Core.Webhooks;
using Echain.Functions.Shared.Http;
using Echain.Functions.Shared.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Echain.Functions.Shared.Apis;

/// <summary>
/// The delivery log behind the admin key, on both hosts: search what Coinbase sent and what Echain answered, and replay a
/// stored delivery through the normal ingest path (after the signature: the operator vouches for it).
/// </summary>
public static class DeliveriesApi
{
    public const int MaxLimit = 1000;
    /// <summary>The ingest's outcome for a body over Coinbase:MaxBodyBytes (see <see cref="EchainMetrics.WebhooksReceived"/>).</summary>
    private const string TooLargeOutcome = "too-large";

    public static IEndpointRouteBuilder MapDeliveriesApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapAdminGroup().WithTags("Admin: delivery log");
        admin.MapGet("/deliveries", ListAsync).ProducesProblems(400);
        admin.MapPost("/deliveries/{id}/replay", ReplayAsync).ProducesProblems(400, 409);
        return app;
    }

    /// <summary>One stored delivery; <paramref name="Body"/> is the kept bytes as UTF-8 (invalid bytes show as U+FFFD).</summary>
    public sealed record DeliveryItem(long Id, DateTimeOffset ReceivedAt, int Status, string Outcome, string? Reason, string? Field,
        IReadOnlyList<string> SignedHeaders, string? EventId, string? EventType, IReadOnlyList<string> EventKeys, int BodyBytes,
        bool Truncated, string Body, long? ReplayOf);

    /// <summary>Newest first; <paramref name="Next"/> is the <c>before</c> of the next page, null on the last.</summary>
    public sealed record DeliveryPage(IReadOnlyList<DeliveryItem> Deliveries, long? Next);

    public static async Task<Results<Ok<DeliveryPage>, ApiProblemResult>> ListAsync(string? transactionHash, string? status,
        string? from, string? to, string? limit, string? before, DeliveryLogStore store, CancellationToken ct)
    {
        if (transactionHash is not null && !IsTransactionHash(transactionHash))
            return Problems.BadRequest("transactionHash must be 0x and 64 hex digits.", "transactionHash");
        int? statusCode = null;
        if (status is not null)
        {
            if (!int.TryParse(status, NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code is < 100 or > 599)
                return Problems.BadRequest("status must be an HTTP status code from 100 to 599.", "status");
            statusCode = code;
        }
        if (!TryTime(from, out var fromTime)) return BadTime("from");
        if (!TryTime(to, out var toTime)) return BadTime("to");
        if (fromTime > toTime) return Problems.BadRequest("from must not be after to.", "from");
        var max = 100;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max is < 1 or > MaxLimit))
            return Problems.BadRequest($"limit must be an integer from 1 to {MaxLimit}.", "limit");
        long? cursor = null;
        if (before is not null)
        {
            if (!long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id < 1)
                return Problems.BadRequest("before must be a delivery id (a positive integer).", "before");
            cursor = id;
        }

        // One more than asked: whether a next page exists without a count.
        var rows = await store.SearchAsync(new DeliverySearch(transactionHash, statusCode, fromTime, toTime, cursor, max + 1), ct);
        var more = rows.Count > max;
        var items = rows.Take(max).Select(Item).ToList();
        return TypedResults.Ok(new DeliveryPage(items, more ? items[^1].Id : null));
    }

    /// <summary>
    /// Runs the stored body through <see cref="CoinbaseWebhookIngest.ReplayAsync"/> with the queue this host registers
    /// (standalone: the Redis stream; Functions: the Service Bus sender) and answers what the ingest answers.
    /// </summary>
    public static async Task<Results<Accepted<WebhookReceipt>, ApiProblemResult>> ReplayAsync(string id, DeliveryLogStore store,
        WebhookIngestFactory ingests, IServiceProvider services, CancellationToken ct)
    {
        if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var deliveryId) || deliveryId < 1)
            return Problems.BadRequest("id must be a delivery id (a positive integer).", "id");
        if (await store.FindAsync(deliveryId, ct) is not { } stored)
            return Problems.NotFound($"No delivery {deliveryId} is kept (never recorded, or past the retention).");
        if (stored.Truncated)
            return Truncated($"Delivery {deliveryId} had {stored.BodyBytes} bytes; only {stored.Body.Length} were kept (Echain:Deliveries:MaxBodyBytes), so it cannot be replayed.");
        // A body over Coinbase:MaxBodyBytes is refused before it is read: there is nothing to replay.
        if (stored.Outcome == TooLargeOutcome)
            return Truncated($"Delivery {deliveryId} was refused as too large before its body was read; nothing was kept to replay.");
        if (services.GetService<IChainEventQueue>() is not { } queue)
            return Problems.From(ApiProblem.ServiceUnavailable("This host has no event queue to replay into."));

        var result = await ingests.Create(queue).ReplayAsync(stored.Body, stored.EventId, stored.SignedHeaders, stored.Id, ct);
        return result.Problem is { } problem ? Problems.From(problem) : TypedResults.Accepted((string?)null, result.Receipt);
    }

    private static ApiProblemResult Truncated(string detail) =>
        Problems.From(new ApiProblem(409, ApiProblem.TypeBase + "delivery-truncated", "The stored body is incomplete.", detail));

    private static DeliveryItem Item(StoredDelivery d) => new(d.Id, d.ReceivedAt, d.Status, d.Outcome, d.Reason, d.Field,
        d.SignedHeaders, d.EventId, d.EventType, d.EventKeys, d.BodyBytes, d.Truncated, d.BodyText, d.ReplayOf);

    /// <summary>The webhook's hash rule, with the lowercase 0x this route has always asked for.</summary>
    private static bool IsTransactionHash(string text) =>
        text.StartsWith("0x", StringComparison.Ordinal) && TransactionHashes.TryNormalize(text, out _);

    /// <summary>ISO 8601 with an offset or Z (2027-05-01T20:00:00Z); absent is no bound.</summary>
    private static bool TryTime(string? text, out DateTimeOffset? time)
    {
        time = null;
        if (text is null) return true;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) return false;
        time = parsed;
        return true;
    }

    private static ApiProblemResult BadTime(string field) =>
        Problems.BadRequest($"{field} must be an ISO 8601 time such as 2027-05-01T20:00:00Z.", field);
}
