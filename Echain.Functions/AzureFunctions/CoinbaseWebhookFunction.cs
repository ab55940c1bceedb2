using System.Globalization;
using System.Text.Json;
using Echain.Core;
using Echain.Core.Webhooks;
using Echain.Functions.Shared.Apis;
using Microsoft.Extensions.Options;

namespace Echain.Functions.AzureFunctions;

/// <summary>
/// CoinbaseWebhook. Trigger: httpTrigger <c>req</c> (POST /api/webhooks/coinbase).
/// Outputs: <c>outEvents</c> (serviceBus, queue "chain-events") only on 202; <c>res</c> (http) always.
/// </summary>
public static class CoinbaseWebhookFunction
{
    public const string Name = "CoinbaseWebhook";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<InvocationResult> RunAsync(
        FunctionInvocation invocation, WebhookIngestFactory ingests, IOptions<CoinbaseOptions> options, CancellationToken ct)
    {
        var req = invocation.HttpRequest(BindingNames.Request);
        var (body, tooLarge) = SignedBody(req, options.Value.MaxBodyBytes);

        var outEvents = new ServiceBusOutput();
        var result = await ingests.Create(outEvents).HandleAsync(
            new WebhookRequest(req.Method, req.Header("Content-Type"), req.Headers, body, tooLarge), ct);

        if (result.Problem is { } problem)
            return InvocationResult.Ok().Output(BindingNames.Response, HttpOutput.Problem(problem));
        return InvocationResult.Ok()
            .Output(BindingNames.OutEvents, outEvents.ToJson())
            .Output(BindingNames.Response, HttpOutput.Json(StatusCodes.Status202Accepted, JsonSerializer.Serialize(result.Receipt, Json)));
    }

    /// <summary>
    /// The bytes the sender signed: UTF8(Body), nothing stripped, except that the host decodes the body with BOM
    /// detection, so a body sent with a leading UTF-8 BOM arrives without it. The original Content-Length (still in
    /// the headers) tells: exactly three bytes more than UTF8(Body) means a BOM was removed, and it is put back so that
    /// verification and parsing see the bytes the standalone host would see (signed with the BOM: valid; without: 401).
    /// </summary>
    internal static (byte[] Body, bool TooLarge) SignedBody(HttpTriggerRequest req, long maxBytes)
    {
        var body = req.BodyBytes();
        if (long.TryParse(req.Header("Content-Length"), NumberStyles.None, CultureInfo.InvariantCulture, out var sent)
            && sent == body.Length + HttpTriggerRequest.Utf8Bom.Length)
            body = [.. HttpTriggerRequest.Utf8Bom, .. body];
        return body.Length > maxBytes ? ([], true) : (body, false);
    }
}
