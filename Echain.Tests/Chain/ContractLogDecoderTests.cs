using System.Numerics;
using Echain.Core;
using Echain.Core.Chain;
using Microsoft.Extensions.Options;
using static Echain.Tests.Infrastructure.TestChain;

namespace Echain.Tests.Chain;

public sealed class ContractLogDecoderTests
{
    // Checksummed and padded in configuration on purpose: events carry lowercase addresses.
    private readonly ContractLogDecoder _decoder = new(Options.Create(new EchainOptions
    {
        TicketContracts = [Tickets],
        PaymentTokens = [" 0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913 "],
    }));

    private static readonly DateTimeOffset StartTime = DateTimeOffset.FromUnixTimeSeconds(Start);
    private static readonly DateTimeOffset EndTime = DateTimeOffset.FromUnixTimeSeconds(End);

    public static TheoryData<string, string> ProjectedEvents => new()
    {
        { Tickets, "EventCreated" }, { Tickets, "EventUpdated" }, { Tickets, "TicketPurchased" },
        { Tickets, "Transfer" }, { Tickets, "TicketUsed" }, { Usdc, "Transfer" },
    };

    [Theory]
    [MemberData(nameof(ProjectedEvents))]
    public void Projected_events_have_no_ignore_reason_and_their_parameters_are_not_read(string contract, string name) =>
        Assert.Null(_decoder.IgnoreReason(Log(contract, name, 1, 0)));

    [Theory]
    [InlineData(Tickets, "Approval", IgnoreReasons.UnknownEvent)]
    [InlineData(Tickets, "ApprovalForAll", IgnoreReasons.UnknownEvent)]
    [InlineData(Usdc, "Approval", IgnoreReasons.UnknownEvent)]
    [InlineData(Usdc, "EventCreated", IgnoreReasons.UnknownEvent)]
    [InlineData(Usdc, "transfer", IgnoreReasons.UnknownEvent)]
    [InlineData(Tickets, "TicketBaseURIUpdated", IgnoreReasons.MetadataSignal)]
    [InlineData(Tickets, "MetadataUpdate", IgnoreReasons.MetadataSignal)]
    [InlineData(Tickets, "BatchMetadataUpdate", IgnoreReasons.MetadataSignal)]
    [InlineData(Usdc, "MetadataUpdate", IgnoreReasons.UnknownEvent)] // a payment token's would be no ticket's
    [InlineData(Unconfigured, "MetadataUpdate", IgnoreReasons.UnconfiguredContract)]
    [InlineData(Unconfigured, "Transfer", IgnoreReasons.UnconfiguredContract)]
    public void Other_events_are_classified_with_their_reason_and_decode_to_no_log(string contract, string name, string reason)
    {
        var e = Log(contract, name, 1, 0);
        Assert.Equal(reason, _decoder.IgnoreReason(e));
        Assert.Equal(new DecodedLog(contract, null, reason), _decoder.Decode(e));
    }

    [Fact]
    public void The_reasons_are_the_metric_and_outcome_vocabulary()
    {
        Assert.Equal("unconfigured-contract", IgnoreReasons.UnconfiguredContract);
        Assert.Equal("unknown-event", IgnoreReasons.UnknownEvent);
        Assert.Equal("metadata-signal", IgnoreReasons.MetadataSignal);
    }

    [Fact]
    public void Contracts_compare_case_insensitively_and_decode_to_lowercase()
    {
        var upper = UsdcTransfer(1, 0, Alice, Bob, "5") with { Contract = "0X833589FCD6EDB6E08F4C7C32D4F71B54BDA02913" };
        Assert.Null(_decoder.IgnoreReason(upper));
        Assert.Equal(Usdc, _decoder.Decode(upper).Contract);
    }

    [Fact]
    public void EventCreated_decodes_creation_fields_and_details()
    {
        var decoded = _decoder.Decode(EventCreated(1, 0, "7", title: "Gig", description: "Loud", maxTickets: "100", price: "5000000"));
        Assert.Equal(new DecodedLog(Tickets, new EventCreatedLog(7, Creator, 100,
            new EventDetails("Gig", "Loud", StartTime, EndTime, 5_000_000)), null), decoded);
    }

    [Fact]
    public void EventUpdated_decodes_details()
    {
        var decoded = _decoder.Decode(EventUpdated(1, 0, "7", title: "Gig", description: "Louder", price: "0x10"));
        Assert.Equal(new EventUpdatedLog(7, new EventDetails("Gig", "Louder", StartTime, EndTime, 16)), decoded.Log);
    }

    [Fact]
    public void TicketPurchased_decodes_with_the_ticket_type_verbatim()
    {
        var decoded = _decoder.Decode(Purchase(1, 0, "7", "42", Alice.ToUpperInvariant().Replace("0X", "0x"), price: "5000000", type: "VIP"));
        Assert.Equal(new TicketPurchasedLog(7, 42, Alice, 5_000_000, "VIP"), decoded.Log);
    }

    [Fact]
    public void Ticket_and_token_Transfers_decode_by_contract()
    {
        Assert.Equal(new TicketTransferLog(Zero, Alice, 42), _decoder.Decode(TicketTransfer(1, 0, Zero, Alice, "42")).Log);
        Assert.Equal(new TokenTransferLog(Alice, Bob, Uint256.Max), _decoder.Decode(UsdcTransfer(1, 1, Alice, Bob, Uint256.Max.ToString())).Log);
    }

    [Fact]
    public void TicketUsed_decodes_the_token()
    {
        Assert.Equal(new TicketUsedLog(new BigInteger(42)), _decoder.Decode(TicketUsed(1, 0, "42")).Log);
    }

    public static TheoryData<string, ChainEvent> MalformedLogs => new()
    {
        { "eventId", EventCreated(1, 0, "-1") },
        { "maxTickets", EventCreated(1, 0, "7", maxTickets: "lots") },
        { "creator", EventCreated(1, 0, "7", creator: "0x123") },
        { "startTime", EventUpdated(1, 0, "7", start: DateTimeOffset.MaxValue.ToUnixTimeSeconds() + 1) },
        { "price", Purchase(1, 0, "7", "42", Alice, price: "") },
        { "ticketType", Log(Tickets, "TicketPurchased", 1, 0, ("eventId", "7"), ("tokenId", "42"), ("buyer", Alice), ("price", "1")) },
        { "to", TicketTransfer(1, 0, Alice, "bob", "42") },
        { "tokenId", TicketUsed(1, 0, ((BigInteger.One << 256)).ToString()) },
        { "value", UsdcTransfer(1, 0, Alice, Bob, "1.5") },
    };

    [Theory]
    [MemberData(nameof(MalformedLogs))]
    public void A_malformed_or_missing_parameter_throws_on_decode_but_not_on_classification(string parameter, ChainEvent e)
    {
        Assert.Null(_decoder.IgnoreReason(e));
        var error = Assert.Throws<InvalidChainEventException>(() => _decoder.Decode(e));
        Assert.Contains($"'{parameter}'", error.Message);
    }
}
