using System.Text;
using System.Text.Json;
using Echain.Core;
using Echain.Core.Chain;
using Echain.Core.Webhooks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Echain.Tests.Webhooks.WebhookTestData;

namespace Echain.Tests.Webhooks;

public sealed class CoinbaseWebhookIngestTests
{
    private const string Secret = "ingest-secret";
    private const long Now = 1_779_225_730;

    private readonly RecordingQueue _queue = new();
    private readonly RecordingDeliveryLog _deliveries = new();
    private readonly RecordingCdpHealthStore _cdpHealth = new();
    private readonly CoinbaseWebhookIngest _ingest;

    public CoinbaseWebhookIngestTests()
    {
        var coinbase = Options.Create(new CoinbaseOptions { WebhookSecrets = [Secret], MaxBodyBytes = 4096 });
        var echain = Options.Create(new EchainOptions
        {
            // Checksummed in configuration on purpose: events carry lowercase addresses.
            TicketContracts = ["0x1111111111111111111111111111111111111111"],
            PaymentTokens = ["0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913"],
        });
        _ingest = new CoinbaseWebhookIngest(
            new CoinbaseSignature(coinbase, FixedClock.AtUnix(Now)), _queue, coinbase, new ContractLogDecoder(echain),
            _deliveries, _cdpHealth, FixedClock.AtUnix(Now), NullLogger<CoinbaseWebhookIngest>.Instance);
    }

    private static WebhookRequest Signed(string body, string method = "POST", string? contentType = "application/json",
        string secret = Secret, string eventId = "evt-1", bool tooLarge = false)
    {
        var bytes = Utf8(body);
        List<KeyValuePair<string, string>> signed =
        [
            new("content-type", contentType ?? ""),
            new("x-event-id", eventId),
            new("x-event-type", "onchain.activity.detected"),
        ];
        var headers = Headers(signed);
        headers[CoinbaseSignature.HeaderName] = CoinbaseSignature.Sign(secret, Now, signed, bytes);
        return new WebhookRequest(method, contentType, headers, bytes, tooLarge);
    }

    private static string TicketTransfer(string logIndex = "1") =>
        CdpBody(TicketContract, "Transfer", $$"""{"from":"{{Alice}}","to":"{{Bob}}","tokenId":"5"}""",
            "Transfer(address,address,uint256)", logIndex: logIndex);

    private async Task<IngestResult> Problem(WebhookRequest request, int status, string type)
    {
        var result = await _ingest.HandleAsync(request, CancellationToken.None);
        Assert.Equal(status, result.StatusCode);
        Assert.NotNull(result.Problem);
        Assert.Equal(status, result.Problem!.Status);
        Assert.Equal(ApiProblem.TypeBase + type, result.Problem.Type);
        Assert.Null(result.Receipt);
        Assert.Empty(_queue.Enqueued);
        return result;
    }

    [Fact]
    public async Task Valid_ticket_event_is_queued_and_receipted()
    {
        var result = await _ingest.HandleAsync(Signed(TicketTransfer()), CancellationToken.None);

        Assert.Equal(202, result.StatusCode);
        Assert.Null(result.Problem);
        Assert.Equal(new[] { "msg-0" }, result.Receipt!.Ids);
        Assert.Equal(1, result.Receipt.Accepted);
        Assert.Equal(0, result.Receipt.Ignored);
        var queued = Assert.Single(_queue.Enqueued);
        Assert.Equal("evt-1", queued.DeliveryId);
        Assert.Equal("5", queued.Parameters["tokenId"]);

        var recorded = Assert.Single(_deliveries.Recorded);
        Assert.Equal((202, "accepted", "evt-1"), (recorded.Status, recorded.Outcome, recorded.EventId));
        Assert.Equal([queued.Key], recorded.EventKeys);
        Assert.Contains("x-event-id", recorded.SignedHeaders);
        Assert.Null(recorded.Reason);
    }

    [Fact]
    public async Task Payment_token_transfer_matches_a_checksummed_configuration()
    {
        var body = CdpBody("0x833589FCD6EDB6E08F4C7C32D4F71B54BDA02913", "Transfer",
            $$"""{"from":"{{Alice}}","to":"{{Bob}}","value":"1000000"}""");

        var result = await _ingest.HandleAsync(Signed(body, contentType: "application/json; charset=utf-8"), CancellationToken.None);

        Assert.Equal(202, result.StatusCode);
        Assert.Equal(Usdc, Assert.Single(_queue.Enqueued).Contract);
    }

    [Theory]
    [InlineData("0x2222222222222222222222222222222222222222", "Transfer")]      // unconfigured contract
    [InlineData(TicketContract, "Approval")]                                    // unknown event of a ticket contract
    [InlineData("0x833589fcd6edb6e08f4c7c32d4f71b54bda02913", "TicketUsed")]    // ticket event from a payment token
    public async Task Events_echain_does_not_project_are_acknowledged_not_queued(string contract, string eventName)
    {
        var body = CdpBody(contract, eventName, $$"""{"owner":"{{Alice}}"}""");

        var result = await _ingest.HandleAsync(Signed(body), CancellationToken.None);

        Assert.Equal(202, result.StatusCode);
        Assert.Equal(new WebhookReceipt(0, 1, []), result.Receipt! with { Ids = [] });
        Assert.Empty(result.Receipt!.Ids);
        Assert.Empty(_queue.Enqueued);
    }

    [Fact]
    public async Task Legacy_transaction_is_acknowledged_not_queued()
    {
        var body = $$"""{"eventType":"transaction","network":"base-mainnet","blockNumber":"5","transactionHash":"{{TxHash}}","from":"{{Alice}}","to":"{{TicketContract}}"}""";

        var result = await _ingest.HandleAsync(Signed(body), CancellationToken.None);

        Assert.Equal(202, result.StatusCode);
        Assert.Equal(1, result.Receipt!.Ignored);
        Assert.Empty(_queue.Enqueued);
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("PUT")]
    public Task Non_post_is_405(string method) =>
        Problem(Signed(TicketTransfer(), method: method), 405, "method-not-allowed");

    [Fact]
    public Task Too_large_body_is_413_even_when_signed() =>
        Problem(Signed(TicketTransfer(), tooLarge: true), 413, "payload-too-large");

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData(null)]
    public Task Non_json_content_type_is_415(string? contentType) =>
        Problem(Signed(TicketTransfer(), contentType: contentType), 415, "unsupported-media-type");

    [Theory]
    [InlineData("application/json", true)]
    [InlineData("Application/JSON; charset=utf-8", true)]
    [InlineData("application/cloudevents+json", true)]
    [InlineData("text/json", false)]
    [InlineData("application/jsonx", false)]
    public void Json_media_types(string contentType, bool json) =>
        Assert.Equal(json, CoinbaseWebhookIngest.IsJson(contentType));

    [Fact]
    public async Task Wrong_secret_is_401_with_the_reason()
    {
        var result = await Problem(Signed(TicketTransfer(), secret: "someone-else"), 401, "invalid-signature");
        Assert.Contains("does not match", result.Problem!.Detail);
    }

    [Fact]
    public async Task Unsigned_request_is_401()
    {
        var request = Signed(TicketTransfer());
        var headers = Headers(request.Headers);
        headers.Remove(CoinbaseSignature.HeaderName);

        var result = await Problem(request with { Headers = headers }, 401, "invalid-signature");
        Assert.Contains("missing", result.Problem!.Detail);
    }

    [Fact]
    public Task Tampered_body_is_401()
    {
        var request = Signed(TicketTransfer());
        return Problem(request with { Body = Utf8(TicketTransfer(logIndex: "2")) }, 401, "invalid-signature");
    }

    [Fact]
    public async Task Signed_but_invalid_payload_is_400_naming_the_field()
    {
        var body = TicketTransfer().Replace($"\"transaction_hash\":\"{TxHash}\"", "\"transaction_hash\":null");

        var result = await Problem(Signed(body), 400, "invalid-payload");

        Assert.Equal("transaction_hash", result.Problem!.Extensions!["field"]);
        Assert.Equal("transaction_hash is missing", result.Problem.Detail);
    }

    [Fact]
    public async Task Every_rejection_is_recorded_with_its_status_and_reason_but_no_signature_value()
    {
        await Problem(Signed(TicketTransfer(), secret: "someone-else"), 401, "invalid-signature");
        await Problem(Signed(TicketTransfer().Replace($"\"transaction_hash\":\"{TxHash}\"", "\"transaction_hash\":null")), 400, "invalid-payload");
        await Problem(Signed(TicketTransfer(), method: "GET"), 405, "method-not-allowed");

        Assert.Equal([401, 400, 405], _deliveries.Recorded.Select(d => d.Status));
        Assert.Contains("does not match", _deliveries.Recorded[0].Reason);
        Assert.Equal("transaction_hash", _deliveries.Recorded[1].Field);
        Assert.All(_deliveries.Recorded, d => Assert.Equal("evt-1", d.EventId));
        Assert.All(_deliveries.Recorded, d => Assert.Empty(d.EventKeys));
        // The body is handed over as received; header values (the signature among them) never are.
        Assert.Equal(TicketTransfer(), Encoding.UTF8.GetString(_deliveries.Recorded[0].Body.Span));
    }

    [Fact]
    public Task Signed_malformed_json_is_400() => Problem(Signed("{\"block_number\":"), 400, "invalid-payload");

    [Fact]
    public Task Queue_down_is_503()
    {
        _queue.Unavailable = true;
        return Problem(Signed(TicketTransfer()), 503, "service-unavailable");
    }

    [Fact]
    public async Task Problem_serializes_as_rfc7807_with_extensions()
    {
        var body = TicketTransfer().Replace("\"log_index\":1", "\"log_index\":-1");
        var result = await Problem(Signed(body), 400, "invalid-payload");

        using var json = JsonDocument.Parse(result.Problem!.ToJson());
        var root = json.RootElement;
        Assert.Equal("https://echain.dev/problems/invalid-payload", root.GetProperty("type").GetString());
        Assert.Equal(400, root.GetProperty("status").GetInt32());
        Assert.Equal("log_index must be a non-negative integer", root.GetProperty("detail").GetString());
        Assert.Equal("log_index", root.GetProperty("field").GetString());
        Assert.False(string.IsNullOrEmpty(root.GetProperty("title").GetString()));
    }
}
