using Echain.Core;
using Echain.Core.Chain;
using Echain.Core.Webhooks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Echain.Tests.Webhooks.WebhookTestData;

namespace Echain.Tests.Webhooks;

/// <summary>The ingest's answer to each CDP shape, and to a signed log the projector's decoder would refuse.</summary>
public sealed class CdpShapeIngestTests
{
    private const string Secret = "cdp-shape-secret";
    private const long Now = 1_779_225_730;

    private readonly RecordingQueue _queue = new();
    private readonly RecordingDeliveryLog _deliveries = new();
    private readonly RecordingCdpHealthStore _health = new();
    private readonly CoinbaseWebhookIngest _ingest;

    public CdpShapeIngestTests()
    {
        var coinbase = Options.Create(new CoinbaseOptions { WebhookSecrets = [Secret], MaxBodyBytes = 8192 });
        var echain = Options.Create(new EchainOptions { TicketContracts = [TicketContract], PaymentTokens = [Usdc] });
        _ingest = new CoinbaseWebhookIngest(new CoinbaseSignature(coinbase, FixedClock.AtUnix(Now)), _queue, coinbase,
            new ContractLogDecoder(echain), _deliveries, _health, FixedClock.AtUnix(Now), NullLogger<CoinbaseWebhookIngest>.Instance);
    }

    /// <summary>Signed as CDP signs: the headers in h, here X-Hook0-Id (the envelope's delivery id) or X-Event-Id.</summary>
    private Task<IngestResult> Send(string body, string idHeader = "x-hook0-id", string id = "hook0-1")
    {
        var bytes = Utf8(body);
        List<KeyValuePair<string, string>> signed = [new("content-type", "application/json"), new(idHeader, id)];
        var headers = Headers(signed);
        headers[CoinbaseSignature.HeaderName] = CoinbaseSignature.Sign(Secret, Now, signed, bytes);
        return _ingest.HandleAsync(new WebhookRequest("POST", "application/json", headers, bytes, false), CancellationToken.None);
    }

    [Fact]
    public async Task The_envelope_is_queued_under_its_X_Hook0_Id_and_its_type_is_logged()
    {
        var result = await Send(CdpShapeParserTests.Envelope(TicketContract));

        Assert.Equal(202, result.StatusCode);
        var queued = Assert.Single(_queue.Enqueued);
        Assert.Equal("hook0-1", queued.DeliveryId);
        Assert.Equal("1", queued.Parameters["tokenId"]);
        var recorded = Assert.Single(_deliveries.Recorded);
        Assert.Equal(("hook0-1", "onchain.activity.detected"), (recorded.EventId, recorded.EventType));
        Assert.Equal([queued.Key], recorded.EventKeys);
    }

    [Fact]
    public async Task X_Event_Id_wins_over_X_Hook0_Id()
    {
        var bytes = Utf8(CdpShapeParserTests.Envelope(TicketContract));
        List<KeyValuePair<string, string>> signed = [new("content-type", "application/json"), new("x-event-id", "evt-9"), new("x-hook0-id", "h-9")];
        var headers = Headers(signed);
        headers[CoinbaseSignature.HeaderName] = CoinbaseSignature.Sign(Secret, Now, signed, bytes);
        await _ingest.HandleAsync(new WebhookRequest("POST", "application/json", headers, bytes, false), CancellationToken.None);
        Assert.Equal("evt-9", Assert.Single(_queue.Enqueued).DeliveryId);
    }

    [Fact]
    public async Task Wallet_activity_detected_of_an_unconfigured_contract_is_acknowledged()
    {
        var body = CdpShapeParserTests.WalletActivityDetected.Replace("0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913", "0x2222222222222222222222222222222222222222");
        var result = await Send(body, "x-event-id", "123e4567-e89b-12d3-a456-426614174000");
        Assert.Equal(202, result.StatusCode);
        Assert.Equal((0, 1), (result.Receipt!.Accepted, result.Receipt.Ignored));
        Assert.Empty(_queue.Enqueued);
        Assert.Equal("wallet.activity.detected", Assert.Single(_deliveries.Recorded).EventType);
    }

    [Fact]
    public async Task Health_is_recorded_and_acknowledged()
    {
        var result = await Send(CdpShapeParserTests.HealthStatusUpdated);
        Assert.Equal(202, result.StatusCode);
        Assert.Empty(_queue.Enqueued);
        Assert.Equal("degraded", Assert.Single(_health.Recorded).Status);
        Assert.Equal("health.status.updated", Assert.Single(_deliveries.Recorded).EventType);
    }

    [Fact]
    public async Task An_unknown_type_is_acknowledged_and_nothing_is_queued()
    {
        var result = await Send("""{"eventId":"e1","timestamp":"2026-04-21T14:32:00Z","eventType":"onramp.transaction.created","data":{}}""");
        Assert.Equal(202, result.StatusCode);
        Assert.Equal((0, 1), (result.Receipt!.Accepted, result.Receipt.Ignored));
        Assert.Empty(_queue.Enqueued);
        Assert.Empty(_health.Recorded);
    }

    public static TheoryData<string, string> NeverApplies => new()
    {
        // EventCreated without title (every other parameter there).
        { CdpBody(TicketContract, "EventCreated", $$"""{"eventId":"1","creator":"{{Alice}}","description":"d","startTime":"1800000000","endTime":"1800003600","maxTickets":"10","ticketPrice":"1"}"""), "parameters.title" },
        // "parameters": null on an event Echain projects.
        { CdpBody(TicketContract, "TicketUsed", "null"), "parameters.tokenId" },
        // A start time past year 9999 (uint64 on chain, but no timestamp can hold it).
        { CdpBody(TicketContract, "EventUpdated", """{"eventId":"1","title":"t","description":"d","startTime":"253402300800","endTime":"253402300800","ticketPrice":"1"}"""), "parameters.startTime" },
        // A Transfer on the ticket contract without tokenId (an ERC-20 value instead).
        { CdpBody(TicketContract, "Transfer", $$"""{"from":"{{Alice}}","to":"{{Bob}}","value":"5"}"""), "parameters.tokenId" },
        // A payment-token Transfer whose "to" is no address (no signature and an unknown name: kept verbatim by the parser).
        { CdpBody(Usdc, "Transfer", $$"""{"from":"{{Alice}}","to":"someone","value":"5"}"""), "parameters.to" },
        // The same refusal inside an envelope names the field where the envelope has it.
        { CdpShapeParserTests.Envelope(TicketContract, parameters: "{}"), "data.parameters.tokenId" },
    };

    [Theory]
    [MemberData(nameof(NeverApplies))]
    public async Task A_signed_log_the_projector_could_never_apply_is_400_naming_the_field(string body, string field)
    {
        var result = await Send(body);

        Assert.Equal(400, result.StatusCode);
        Assert.Equal(ApiProblem.TypeBase + "invalid-payload", result.Problem!.Type);
        Assert.Equal(field, result.Problem.Extensions!["field"]);
        Assert.Empty(_queue.Enqueued);
        Assert.Equal((400, field), (Assert.Single(_deliveries.Recorded).Status, _deliveries.Recorded[0].Field));
    }
}
