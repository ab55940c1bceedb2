using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;

namespace Echain.Demo.Chain;

// The two events whose fields a sender needs back from its receipt (the new ids).

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

[Event("TicketPurchased")]
public sealed class TicketPurchasedEvent : IEventDTO
{
    [Parameter("uint256", "eventId", 1, true)] public BigInteger EventId { get; set; }
    [Parameter("uint256", "tokenId", 2, true)] public BigInteger TokenId { get; set; }
    [Parameter("address", "buyer", 3, true)] public string Buyer { get; set; } = "";
    [Parameter("uint256", "price", 4, false)] public BigInteger Price { get; set; }
    [Parameter("string", "ticketType", 5, false)] public string TicketType { get; set; } = "";
}
