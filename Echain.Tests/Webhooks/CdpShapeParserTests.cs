using System.Text;
using Echain.Core.Webhooks;
using static Echain.Tests.Webhooks.WebhookTestData;

namespace Echain.Tests.Webhooks;

/// <summary>Every CDP payload shape normalizes to the same ChainEvent, and bytes no text can hold are a named 400.</summary>
public sealed class CdpShapeParserTests
{
    /// <summary>CDP's API reference example of wallet.activity.detected, verbatim (numbers as strings, no parameters).</summary>
    public const string WalletActivityDetected = """
        {
          "eventId": "123e4567-e89b-12d3-a456-426614174000",
          "timestamp": "2025-06-01T12:00:00Z",
          "data": {
            "network": "base-mainnet",
            "blockNumber": "12345678",
            "blockTimestamp": "2025-06-01T11:59:55Z",
            "transactionHash": "0xabc123def456789012345678901234567890abcdef1234567890abcdef123456",
            "logIndex": "0",
            "contractAddress": "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
            "eventName": "Transfer"
          },
          "eventType": "wallet.activity.detected"
        }
        """;

    /// <summary>
    /// health.status.updated: eventId, timestamp and eventType are CDP's documented example values; the reference
    /// documents data only as "the health status of a service or operation", so its members here are an assumption.
    /// </summary>
    public const string HealthStatusUpdated = """
        {"eventId":"9d3f2b1a-6e4c-4a8b-9f1d-2c7a5e8b4f60","timestamp":"2026-04-21T14:32:00.000Z","eventType":"health.status.updated",
         "data":{"service":"onchain-data","status":"degraded"}}
        """;

    /// <summary>The {id, type, createdAt, data} envelope of CDP's signature-verification page, its data the camelCase log.</summary>
    public static string Envelope(string contract, string eventName = "TicketUsed", string parameters = """{"tokenId":"1"}""",
        string type = "onchain.activity.detected") =>
        $$$"""{"id":"evt_2hG8kLmN4pQ","type":"{{{type}}}","createdAt":"2026-05-19T21:22:11Z","data":{"network":"base-mainnet","blockNumber":46218191,"blockTimestamp":"2026-05-19T21:22:10Z","transactionHash":"{{{TxHash}}}","logIndex":3,"contractAddress":"{{{contract}}}","eventName":"{{{eventName}}}","eventSignature":"TicketUsed(uint256)","parameters":{{{parameters}}}}}""";

    private static WebhookParseResult Parse(string body, string? deliveryId = null) => CoinbaseWebhookParser.Parse(Utf8(body), deliveryId);

    [Fact]
    public void Wallet_activity_detected_documented_body_is_normalized()
    {
        var result = Parse(WalletActivityDetected);

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(WebhookPayloadKind.ChainEvents, result.Kind);
        Assert.Equal("wallet.activity.detected", result.EventType);
        var e = Assert.Single(result.Events);
        Assert.Equal("base-mainnet", e.Network);
        Assert.Equal("0xabc123def456789012345678901234567890abcdef1234567890abcdef123456", e.TransactionHash);
        Assert.Equal(0, e.LogIndex);
        Assert.Equal(12345678, e.BlockNumber);
        Assert.Equal(new DateTimeOffset(2025, 6, 1, 11, 59, 55, TimeSpan.Zero), e.BlockTime);
        Assert.Equal(Usdc, e.Contract);
        Assert.Equal("Transfer", e.EventName);
        Assert.Empty(e.Parameters);
        // No header gave a delivery id: the payload's eventId is it.
        Assert.Equal("123e4567-e89b-12d3-a456-426614174000", e.DeliveryId);
        Assert.Equal("data.parameters", result.ParametersField);
    }

    [Fact]
    public void A_header_delivery_id_wins_over_the_payload_id()
    {
        var e = Assert.Single(Parse(WalletActivityDetected, "hook0-77").Events);
        Assert.Equal("hook0-77", e.DeliveryId);
    }

    [Fact]
    public void Envelope_with_a_camel_case_log_is_the_same_event_as_the_flat_payload()
    {
        var envelope = Parse(Envelope(TicketContract));
        var flat = Parse(CdpBody(TicketContract, "TicketUsed", """{"tokenId":"1"}""", "TicketUsed(uint256)", logIndex: "3"));

        Assert.True(envelope.IsSuccess, envelope.Error?.Message);
        Assert.Equal("onchain.activity.detected", envelope.EventType);
        Assert.Equal("evt_2hG8kLmN4pQ", envelope.PayloadId);
        var (a, b) = (Assert.Single(envelope.Events), Assert.Single(flat.Events));
        Assert.Equal(b.Key, a.Key);
        Assert.Equal(b.BlockNumber, a.BlockNumber);
        Assert.Equal(b.BlockTime, a.BlockTime);
        Assert.Equal(b.Contract, a.Contract);
        Assert.Equal(b.EventName, a.EventName);
        Assert.Equal(b.Parameters, a.Parameters);
        Assert.Equal("onchain.activity.detected", flat.EventType);
    }

    [Fact]
    public void Envelope_around_the_snake_case_log_is_read_too()
    {
        var body = """{"id":"evt_1","type":"onchain.activity.detected","createdAt":"2026-05-19T21:22:11Z","data":""" + Vectors[0].Body + "}";
        var e = Assert.Single(Parse(body).Events);
        Assert.Equal(29, e.LogIndex);
        Assert.Equal("474891138228179365", e.Parameters["value"]);
    }

    [Fact]
    public void Envelope_fields_are_named_under_data()
    {
        var error = Parse(Envelope(TicketContract).Replace($"\"transactionHash\":\"{TxHash}\",", "")).Error!;
        Assert.Equal(WebhookParseErrorKind.MissingField, error.Kind);
        Assert.Equal("data.transactionHash", error.Field);

        var bad = Parse(Envelope(TicketContract, parameters: """{"tokenId":"x"}""")).Error!;
        Assert.Equal("data.parameters.tokenId", bad.Field);
    }

    [Fact]
    public void Health_status_updated_is_health_not_an_event()
    {
        var result = Parse(HealthStatusUpdated);

        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(WebhookPayloadKind.Health, result.Kind);
        Assert.Equal("health.status.updated", result.EventType);
        Assert.Empty(result.Events);
        var health = result.Health!;
        Assert.Equal("degraded", health.Status);
        Assert.Equal("onchain-data", health.Service);
        Assert.Equal("9d3f2b1a-6e4c-4a8b-9f1d-2c7a5e8b4f60", health.EventId);
        Assert.Equal(new DateTimeOffset(2026, 4, 21, 14, 32, 0, TimeSpan.Zero), health.OccurredAt);
    }

    [Theory]
    [InlineData("""{"eventId":"e1","timestamp":"2026-04-21T14:32:00Z","eventType":"onramp.transaction.created","data":{"a":1}}""", "onramp.transaction.created")]
    [InlineData("""{"id":"e2","type":"payment_link.payment.success","createdAt":"2026-04-21T14:32:00Z","data":{}}""", "payment_link.payment.success")]
    [InlineData("""{"eventId":"e3","eventType":"health.maintenance.scheduled","data":{}}""", "health.maintenance.scheduled")]
    [InlineData("""{"webhookId":"w","eventType":"erc1155_transfer","network":"base-mainnet"}""", "erc1155_transfer")]
    public void An_unknown_type_is_acknowledged_as_unknown_not_refused(string body, string type)
    {
        var result = Parse(body);
        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(WebhookPayloadKind.UnknownType, result.Kind);
        Assert.Equal(type, result.EventType);
        Assert.Empty(result.Events);
    }

    [Fact]
    public void Legacy_and_v2_payloads_both_have_event_type_and_are_told_apart()
    {
        // Legacy: an underscore type and the log at the top. v2: a dotted type and the log in data.
        const string legacy = """{"webhookId":"66bd79d0b9c200eae1a43165","eventType":"erc20_transfer","network":"base-mainnet","blockNumber":"18452087","transactionHash":"0x7f7bc473ee2b94792f033f4d12d0d4d057dab0b5b4f32cd058ad95ee652af948","logIndex":"46","contractAddress":"0x833589fcd6edb6e08f4c7c32d4f71b54bda02913","from":"0xbb8b2da5db110ad625270061e81987ce342677c3","to":"0xfb2139331532e3ee59777fbbcb14af674f3fd671","value":"46737096"}""";
        var old = Parse(legacy);
        Assert.Equal("erc20_transfer", old.EventType);
        Assert.Equal("46737096", Assert.Single(old.Events).Parameters["value"]);
        Assert.Equal("wallet.activity.detected", Parse(WalletActivityDetected).EventType);
    }

    [Fact]
    public void A_leading_byte_order_mark_is_skipped()
    {
        var body = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Utf8(Vectors[0].Body)).ToArray();
        var result = CoinbaseWebhookParser.Parse(body, null);
        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Single(result.Events);
    }

    [Fact]
    public void Invalid_utf8_anywhere_is_an_encoding_error()
    {
        var bytes = Utf8(Vectors[0].Body.Replace("\"base-mainnet\"", "\"base-XXmainnet\""));
        var at = Encoding.UTF8.GetString(bytes).IndexOf("XX", StringComparison.Ordinal);
        bytes[at] = 0xC3; // a lead byte…
        bytes[at + 1] = 0x28; // …followed by no continuation byte
        var error = CoinbaseWebhookParser.Parse(bytes, null).Error!;
        Assert.Equal(WebhookParseErrorKind.InvalidEncoding, error.Kind);
    }

    [Theory]
    [InlineData("""{"title":"\ud800","description":"d"}""", "parameters.title")]
    [InlineData("""{"title":"ok","description":"a\udfffb"}""", "parameters.description")]
    public void A_lone_surrogate_escape_is_an_encoding_error_naming_the_field(string parameters, string field)
    {
        var error = Parse(CdpBody(TicketContract, "EventUpdated", parameters)).Error!;
        Assert.Equal(WebhookParseErrorKind.InvalidEncoding, error.Kind);
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void A_lone_surrogate_in_a_name_or_an_unread_field_is_an_encoding_error_too()
    {
        Assert.Equal(WebhookParseErrorKind.InvalidEncoding,
            Parse(Vectors[0].Body.Replace("\"transaction_from\"", "\"transaction_\\ud800from\"")).Error!.Kind);
        Assert.Equal(WebhookParseErrorKind.InvalidEncoding,
            Parse(Vectors[0].Body.Replace("\"transaction_to\":\"0x61040E143A77F165Ba44543AF4A079F2C809D14b\"", "\"transaction_to\":\"\\udc00\"")).Error!.Kind);
    }

    [Fact]
    public void A_surrogate_pair_escape_is_text()
    {
        var e = Assert.Single(Parse(CdpBody(TicketContract, "EventUpdated", """{"title":"\ud83c\udfab"}""")).Events);
        Assert.Equal("🎫", e.Parameters["title"]);
    }

    [Fact]
    public void U0000_in_a_string_is_text_and_a_network_cannot_hold_it()
    {
        var e = Assert.Single(Parse(CdpBody(TicketContract, "EventUpdated", """{"title":"A\u0000B"}""")).Events);
        Assert.Equal("A\0B", e.Parameters["title"]);

        var error = Parse(Vectors[0].Body.Replace("\"base-mainnet\"", "\"base\\u0000mainnet\"")).Error!;
        Assert.Equal("network", error.Field);
    }
}
