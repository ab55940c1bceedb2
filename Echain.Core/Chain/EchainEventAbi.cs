using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.ABI.Model;
using Nethereum.Contracts;

namespace Echain.Core.Chain;

/// <summary>
/// The events Echain projects, declared as Nethereum event DTOs: Core holds no compiled artifact, so these are its
/// copy of contracts/EchainTickets.sol and the OpenZeppelin ERC-721/ERC-20 Transfer. Parameter names are the
/// Solidity ones (what CDP sends). A test compares them with contracts/build so they cannot drift.
/// </summary>
internal static class EchainEventAbi
{
    /// <summary>Every event <see cref="ChainLogDecoder"/> decodes; both Transfers share topic0 and differ in indexed count.</summary>
    public static IReadOnlyList<EventABI> All { get; } =
    [
        ABITypedRegistry.GetEvent<EventCreated>(),
        ABITypedRegistry.GetEvent<EventUpdated>(),
        ABITypedRegistry.GetEvent<TicketPurchased>(),
        ABITypedRegistry.GetEvent<TicketUsed>(),
        ABITypedRegistry.GetEvent<TicketTransfer>(),
        ABITypedRegistry.GetEvent<TokenTransfer>(),
    ];

    [Event("EventCreated")]
    private sealed class EventCreated : IEventDTO
    {
        [Parameter("uint256", "eventId", 1, true)] public BigInteger EventId { get; set; }
        [Parameter("address", "creator", 2, true)] public string Creator { get; set; } = "";
        [Parameter("string", "title", 3, false)] public string Title { get; set; } = "";
        [Parameter("string", "description", 4, false)] public string Description { get; set; } = "";
        [Parameter("uint64", "startTime", 5, false)] public ulong StartTime { get; set; }
        [Parameter("uint64", "endTime", 6, false)] public ulong EndTime { get; set; }
        [Parameter("uint256", "maxTickets", 7, false)] public BigInteger MaxTickets { get; set; }
        [Parameter("uint256", "ticketPrice", 8, false)] public BigInteger TicketPrice { get; set; }
    }

    [Event("EventUpdated")]
    private sealed class EventUpdated : IEventDTO
    {
        [Parameter("uint256", "eventId", 1, true)] public BigInteger EventId { get; set; }
        [Parameter("string", "title", 2, false)] public string Title { get; set; } = "";
        [Parameter("string", "description", 3, false)] public string Description { get; set; } = "";
        [Parameter("uint64", "startTime", 4, false)] public ulong StartTime { get; set; }
        [Parameter("uint64", "endTime", 5, false)] public ulong EndTime { get; set; }
        [Parameter("uint256", "ticketPrice", 6, false)] public BigInteger TicketPrice { get; set; }
    }

    [Event("TicketPurchased")]
    private sealed class TicketPurchased : IEventDTO
    {
        [Parameter("uint256", "eventId", 1, true)] public BigInteger EventId { get; set; }
        [Parameter("uint256", "tokenId", 2, true)] public BigInteger TokenId { get; set; }
        [Parameter("address", "buyer", 3, true)] public string Buyer { get; set; } = "";
        [Parameter("uint256", "price", 4, false)] public BigInteger Price { get; set; }
        [Parameter("string", "ticketType", 5, false)] public string TicketType { get; set; } = "";
    }

    [Event("TicketUsed")]
    private sealed class TicketUsed : IEventDTO
    {
        [Parameter("uint256", "tokenId", 1, true)] public BigInteger TokenId { get; set; }
    }

    /// <summary>ERC-721: the token id is indexed (4 topics).</summary>
    [Event("Transfer")]
    private sealed class TicketTransfer : IEventDTO
    {
        [Parameter("address", "from", 1, true)] public string From { get; set; } = "";
        [Parameter("address", "to", 2, true)] public string To { get; set; } = "";
        [Parameter("uint256", "tokenId", 3, true)] public BigInteger TokenId { get; set; }
    }

    /// <summary>ERC-20: the value is data (3 topics).</summary>
    [Event("Transfer")]
    private sealed class TokenTransfer : IEventDTO
    {
        [Parameter("address", "from", 1, true)] public string From { get; set; } = "";
        [Parameter("address", "to", 2, true)] public string To { get; set; } = "";
        [Parameter("uint256", "value", 3, false)] public BigInteger Value { get; set; }
    }
}
