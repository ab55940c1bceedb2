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
        ABITypedRegistry.GetEvent<EventCreatedEvent>(),
        ABITypedRegistry.GetEvent<EventUpdatedEvent>(),
        ABITypedRegistry.GetEvent<TicketPurchasedEvent>(),
        ABITypedRegistry.GetEvent<TicketUsedEvent>(),
        ABITypedRegistry.GetEvent<TicketTransferEvent>(),
        ABITypedRegistry.GetEvent<TokenTransferEvent>(),
    ];
}

// The DTOs are public: the demo reads the new ids from its receipts with them (one declaration of each event).

[Event("EventCreated")]
public sealed class EventCreatedEvent : IEventDTO
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
public sealed class EventUpdatedEvent : IEventDTO
{
    [Parameter("uint256", "eventId", 1, true)] public BigInteger EventId { get; set; }
    [Parameter("string", "title", 2, false)] public string Title { get; set; } = "";
    [Parameter("string", "description", 3, false)] public string Description { get; set; } = "";
    [Parameter("uint64", "startTime", 4, false)] public ulong StartTime { get; set; }
    [Parameter("uint64", "endTime", 5, false)] public ulong EndTime { get; set; }
    [Parameter("uint256", "ticketPrice", 6, false)] public BigInteger TicketPrice { get; set; }
}

[Event("TicketPurchased")]
public sealed class TicketPurchasedEvent : IEventDTO
{
    [Parameter("uint256", "eventId", 1, true)] public BigInteger EventId { get; set; }
    [Parameter("uint256", "tokenId", 2, true)] public BigInteger TokenId { get; set; }
    [Parameter("address", "buyer", 3, true)] public string Buyer { get; set; } = "";
    [Parameter("uint256", "price", 4, false)] public BigInteger Price { get; set; }
    [Parameter("string", "ticketType", 5, false)] public string TicketType { get; set; } = "";
}

[Event("TicketUsed")]
public sealed class TicketUsedEvent : IEventDTO
{
    [Parameter("uint256", "tokenId", 1, true)] public BigInteger TokenId { get; set; }
}

/// <summary>ERC-721: the token id is indexed (4 topics).</summary>
[Event("Transfer")]
public sealed class TicketTransferEvent : IEventDTO
{
    [Parameter("address", "from", 1, true)] public string From { get; set; } = "";
    [Parameter("address", "to", 2, true)] public string To { get; set; } = "";
    [Parameter("uint256", "tokenId", 3, true)] public BigInteger TokenId { get; set; }
}

/// <summary>ERC-20: the value is data (3 topics).</summary>
[Event("Transfer")]
public sealed class TokenTransferEvent : IEventDTO
{
    [Parameter("address", "from", 1, true)] public string From { get; set; } = "";
    [Parameter("address", "to", 2, true)] public string To { get; set; } = "";
    [Parameter("uint256", "value", 3, false)] public BigInteger Value { get; set; }
}
