using System.Numerics;
using Echain.Core.Webhooks;
using static Echain.Tests.Webhooks.WebhookTestData;

namespace Echain.Tests.Webhooks;

public sealed class CoinbaseWebhookParserTests
{
    private static Echain.Core.Chain.ChainEvent Single(string body, string? deliveryId = null)
    {
        var result = CoinbaseWebhookParser.Parse(Utf8(body), deliveryId);
        Assert.True(result.IsSuccess, result.Error?.Message);
        return Assert.Single(result.Events);
    }

    private static WebhookParseError Error(string body)
    {
        var result = CoinbaseWebhookParser.Parse(Utf8(body), null);
        Assert.False(result.IsSuccess);
        Assert.Empty(result.Events);
        return result.Error!;
    }

    [Fact]
    public void Cdp_design_example_is_normalized()
    {
        var e = Single(Vectors[0].Body, "delivery-1");

        Assert.Equal("base-mainnet", e.Network);
        Assert.Equal(TxHash, e.TransactionHash);
        Assert.Equal(29, e.LogIndex);
        Assert.Equal(46218191, e.BlockNumber);
        Assert.Equal(new DateTimeOffset(2026, 5, 19, 21, 22, 10, TimeSpan.Zero), e.BlockTime);
        Assert.Equal(TimeSpan.Zero, e.BlockTime!.Value.Offset);
        Assert.Equal("0x940181a94a35a4569e4529a3cdfb74e38fd98631", e.Contract);
        Assert.Equal("Transfer", e.EventName);
        Assert.Equal(Alice, e.Parameters["from"]);
        Assert.Equal(Bob, e.Parameters["to"]);
        Assert.Equal("474891138228179365", e.Parameters["value"]);
        Assert.Equal("delivery-1", e.DeliveryId);
    }

    [Fact]
    public void Cdp_numbers_may_be_strings_and_hex()
    {
        var e = Single(CdpBody(TicketContract, "Transfer",
            """{"from":"0x0000000000000000000000000000000000000000","to":"0x61040E143A77F165Ba44543AF4A079F2C809D14b","tokenId":"0x2a"}""",
            "Transfer(address,address,uint256)", logIndex: "\"7\"", blockNumber: "\"0x10\""));

        Assert.Equal(7, e.LogIndex);
        Assert.Equal(16, e.BlockNumber);
        Assert.Equal("42", e.Parameters["tokenId"]);
        Assert.Equal(Bob, e.Parameters["to"]);
    }

    [Fact]
    public void Cdp_uint256_above_2_pow_64_is_kept_exactly()
    {
        var big = (BigInteger.One << 200).ToString();
        var e = Single(CdpBody(TicketContract, "TicketPurchased",
            $$"""{"eventId":"{{big}}","tokenId":"0x{{(BigInteger.One << 200).ToString("x")}}","buyer":"{{Alice}}","price":"{{big}}","ticketType":"VIP"}""",
            "TicketPurchased(uint256,uint256,address,uint256,string)"));

        Assert.Equal(big, e.Parameters["eventId"]);
        Assert.Equal(big, e.Parameters["tokenId"]);
        Assert.Equal(big, e.Parameters["price"]);
        Assert.Equal("VIP", e.Parameters["ticketType"]);
    }

    [Fact]
    public void Cdp_without_signature_uses_known_parameter_names_and_keeps_text_verbatim()
    {
        var e = Single(CdpBody(TicketContract, "EventCreated",
            """{"eventId":"1","creator":"0xF33a96b5932D9E9B9A0eDA447AbD8C9d48d2e0c8","title":"Konzert — Köln ✓","description":" 007 ","startTime":"1767225600","endTime":"0x69569300","maxTickets":"0100","ticketPrice":"25000000"}"""));

        Assert.Equal(Alice, e.Parameters["creator"]);
        Assert.Equal("Konzert — Köln ✓", e.Parameters["title"]);
        Assert.Equal(" 007 ", e.Parameters["description"]);
        Assert.Equal("1767225600", e.Parameters["startTime"]);
        Assert.Equal("1767281408", e.Parameters["endTime"]);
        Assert.Equal("100", e.Parameters["maxTickets"]);
    }

    [Fact]
    public void Cdp_signature_types_decide_over_known_names()
    {
        // "value" is a string in this signature, so it must stay verbatim even though the name is a known uint.
        var e = Single(CdpBody(TicketContract, "Note", """{"value":"hello","who":"0xF33a96b5932D9E9B9A0eDA447AbD8C9d48d2e0c8"}""",
            "Note(string,address)"));

        Assert.Equal("hello", e.Parameters["value"]);
        Assert.Equal(Alice, e.Parameters["who"]);
    }

    [Theory]
    [InlineData("transaction_hash")]
    [InlineData("log_index")]
    [InlineData("block_number")]
    [InlineData("contract_address")]
    [InlineData("event_name")]
    [InlineData("network")]
    public void Cdp_missing_field_is_named(string field)
    {
        var body = System.Text.Json.Nodes.JsonNode.Parse(Vectors[0].Body)!.AsObject();
        body.Remove(field);

        var error = Error(body.ToJsonString());

        Assert.Equal(WebhookParseErrorKind.MissingField, error.Kind);
        Assert.Equal(field, error.Field);
        Assert.Contains(field, error.Message);
    }

    [Theory]
    [InlineData("log_index", "-1", "log_index must be a non-negative integer")]
    [InlineData("log_index", "1.5", "log_index must be a non-negative integer")]
    [InlineData("log_index", "\"x\"", "log_index must be a non-negative integer")]
    [InlineData("contract_address", "\"0x1234\"", "contract_address is not an address")]
    [InlineData("transaction_hash", "\"0xabc\"", "transaction_hash is not a 32-byte hex hash")]
    [InlineData("timestamp", "\"yesterday\"", "timestamp is not an ISO-8601 time")]
    [InlineData("parameters", "[1,2]", "parameters must be an object")]
    public void Cdp_invalid_field_is_named(string field, string json, string message)
    {
        var body = System.Text.Json.Nodes.JsonNode.Parse(Vectors[0].Body)!.AsObject();
        body[field] = System.Text.Json.Nodes.JsonNode.Parse(json);

        var error = Error(body.ToJsonString());

        Assert.Equal(WebhookParseErrorKind.InvalidField, error.Kind);
        Assert.Equal(field, error.Field);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Cdp_bad_parameter_is_named_with_its_path()
    {
        var error = Error(CdpBody(TicketContract, "Transfer", """{"from":"nobody","to":"0x61040E143A77F165Ba44543AF4A079F2C809D14b","tokenId":"1"}""",
            "Transfer(address,address,uint256)"));

        Assert.Equal("parameters.from", error.Field);
        Assert.Equal("parameters.from is not an address", error.Message);
    }

    [Fact]
    public void Uint_above_uint256_is_invalid()
    {
        var tooBig = (BigInteger.One << 256).ToString();
        var error = Error(CdpBody(TicketContract, "Transfer", $$"""{"from":"{{Alice}}","to":"{{Bob}}","tokenId":"{{tooBig}}"}"""));
        Assert.Equal("parameters.tokenId", error.Field);
    }

    [Theory]
    [InlineData("{\"block_number\":")]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("{\"event_name\":\"A\",\"event_name\":\"B\"}")]
    public void Malformed_json_is_reported(string body)
    {
        Assert.Equal(WebhookParseErrorKind.MalformedJson, Error(body).Kind);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("42")]
    [InlineData("{\"hello\":\"world\"}")]
    public void Unknown_shape_is_reported(string body)
    {
        Assert.Equal(WebhookParseErrorKind.UnknownShape, Error(body).Kind);
    }

    private const string LegacyErc20 =
        """{"webhookId":"66bd79d0b9c200eae1a43165","eventType":"erc20_transfer","network":"base-mainnet","blockHash":"0x60036a0f0454582f60cab6f98990cdcca519b87dd63d5ec01724ce2337129abc","blockNumber":"18452087","blockTime":"2024-08-15T03:45:21.000Z","transactionHash":"0x7f7bc473ee2b94792f033f4d12d0d4d057dab0b5b4f32cd058ad95ee652af948","transactionIndex":"16","logIndex":"46","contractAddress":"0x833589fcd6edb6e08f4c7c32d4f71b54bda02913","from":"0xbb8b2da5db110ad625270061e81987ce342677c3","to":"0xfb2139331532e3ee59777fbbcb14af674f3fd671","value":"46737096"}""";

    [Fact]
    public void Legacy_erc20_design_example_is_a_transfer_with_value()
    {
        var e = Single(LegacyErc20);

        Assert.Equal("Transfer", e.EventName);
        Assert.Equal(Usdc, e.Contract);
        Assert.Equal(46, e.LogIndex);
        Assert.Equal(18452087, e.BlockNumber);
        Assert.Equal(new DateTimeOffset(2024, 8, 15, 3, 45, 21, TimeSpan.Zero), e.BlockTime);
        Assert.Equal("0xbb8b2da5db110ad625270061e81987ce342677c3", e.Parameters["from"]);
        Assert.Equal("0xfb2139331532e3ee59777fbbcb14af674f3fd671", e.Parameters["to"]);
        Assert.Equal("46737096", e.Parameters["value"]);
        Assert.Equal(3, e.Parameters.Count);
    }

    [Fact]
    public void Legacy_erc721_with_numbers_checksum_addresses_and_huge_token_id()
    {
        var big = (BigInteger.One << 200).ToString();
        var e = Single($$"""{"eventType":"erc721_transfer","network":"base-sepolia","blockNumber":12,"blockTime":"2024-08-15T05:45:21+02:00","transactionHash":"0x7F7BC473EE2B94792F033F4D12D0D4D057DAB0B5B4F32CD058AD95EE652AF948","logIndex":3,"contractAddress":"0x1111111111111111111111111111111111111111","from":"0x0000000000000000000000000000000000000000","to":"0x61040E143A77F165Ba44543AF4A079F2C809D14b","tokenId":{{big}}}""");

        Assert.Equal("Transfer", e.EventName);
        Assert.Equal(3, e.LogIndex);
        Assert.Equal("0x7f7bc473ee2b94792f033f4d12d0d4d057dab0b5b4f32cd058ad95ee652af948", e.TransactionHash);
        Assert.Equal(new DateTimeOffset(2024, 8, 15, 3, 45, 21, TimeSpan.Zero), e.BlockTime);
        Assert.Equal(TimeSpan.Zero, e.BlockTime!.Value.Offset);
        Assert.Equal(Bob, e.Parameters["to"]);
        Assert.Equal(big, e.Parameters["tokenId"]);
        Assert.False(e.Parameters.ContainsKey("value"));
    }

    [Fact]
    public void Legacy_missing_field_is_named()
    {
        var error = Error(LegacyErc20.Replace("\"value\":\"46737096\"", "\"other\":1"));
        Assert.Equal(WebhookParseErrorKind.MissingField, error.Kind);
        Assert.Equal("value", error.Field);
    }

    [Fact]
    public void Legacy_unknown_event_type_is_acknowledged_as_unknown()
    {
        var result = CoinbaseWebhookParser.Parse(Utf8(LegacyErc20.Replace("erc20_transfer", "erc1155_transfer")), null);
        Assert.True(result.IsSuccess, result.Error?.Message);
        Assert.Equal(WebhookPayloadKind.UnknownType, result.Kind);
        Assert.Equal("erc1155_transfer", result.EventType);
        Assert.Empty(result.Events);
    }

    [Fact]
    public void Legacy_smart_contract_event_takes_name_from_func_and_types_from_sig()
    {
        var e = Single("""{"eventType":"smart_contract_event_activity","network":"base-mainnet","blockNumber":"5","transactionHash":"0x7f7bc473ee2b94792f033f4d12d0d4d057dab0b5b4f32cd058ad95ee652af948","logIndex":"2","transactionIndex":"0","contractAddress":"0x1111111111111111111111111111111111111111","func":"TicketUsed","sig":"TicketUsed(uint256)","fourBytes":"0x12345678","parameters":{"tokenId":"0x10"}}""");

        Assert.Equal("TicketUsed", e.EventName);
        Assert.Equal(2, e.LogIndex);
        Assert.Equal("16", e.Parameters["tokenId"]);
    }

    [Fact]
    public void Legacy_smart_contract_event_without_a_name_names_func()
    {
        var error = Error("""{"eventType":"smart_contract_event_activity","network":"base-mainnet","blockNumber":"5","transactionHash":"0x7f7bc473ee2b94792f033f4d12d0d4d057dab0b5b4f32cd058ad95ee652af948","logIndex":"2","contractAddress":"0x1111111111111111111111111111111111111111"}""");
        Assert.Equal("func", error.Field);
    }

    [Fact]
    public void Legacy_transaction_maps_to_log_index_minus_one_and_the_callee()
    {
        var e = Single($$"""{"eventType":"transaction","network":"base-mainnet","blockNumber":"5","transactionHash":"{{TxHash}}","transactionIndex":"16","from":"{{Alice}}","to":"0x1111111111111111111111111111111111111111","value":"0"}""");

        Assert.Equal("transaction", e.EventName);
        Assert.Equal(-1, e.LogIndex);
        Assert.Equal(TicketContract, e.Contract);
        Assert.Equal("0", e.Parameters["value"]);
    }

    [Theory]
    [InlineData("Transfer(address,address,uint256)", new[] { "address", "address", "uint256" })]
    [InlineData("Swap((uint256,address),uint8[])", new[] { "(uint256,address)", "uint8[]" })]
    [InlineData("Ping()", new string[0])]
    public void Signature_types_split_at_top_level(string signature, string[] types)
    {
        Assert.Equal(types, EventParameters.SignatureTypes(signature));
    }
}
