using System.Numerics;

namespace Echain.Core.Chain;

/// <summary>
/// A contract log Echain projects, typed: what <see cref="ContractLogDecoder"/> makes of a <see cref="ChainEvent"/>.
/// Addresses are lowercase; integers are uint256. Closed: only the logs below exist.
/// </summary>
public abstract record ContractLog
{
    private protected ContractLog() { }
}

/// <summary>The event fields EventCreated and EventUpdated both carry.</summary>
public sealed record EventDetails(string Title, string Description, DateTimeOffset StartTime, DateTimeOffset EndTime, BigInteger TicketPrice);

/// <summary>Ticket contract: EventCreated(eventId, creator, maxTickets, details…).</summary>
public sealed record EventCreatedLog(BigInteger EventId, string Creator, BigInteger MaxTickets, EventDetails Details) : ContractLog;

/// <summary>Ticket contract: EventUpdated(eventId, details…).</summary>
public sealed record EventUpdatedLog(BigInteger EventId, EventDetails Details) : ContractLog;

/// <summary>Ticket contract: TicketPurchased(eventId, tokenId, buyer, price, ticketType).</summary>
public sealed record TicketPurchasedLog(BigInteger EventId, BigInteger TokenId, string Buyer, BigInteger Price, string TicketType) : ContractLog;

/// <summary>Ticket contract (ERC-721): Transfer(from, to, tokenId); from or to is the zero address for a mint or burn.</summary>
public sealed record TicketTransferLog(string From, string To, BigInteger TokenId) : ContractLog;

/// <summary>Ticket contract: TicketUsed(tokenId), the check-in.</summary>
public sealed record TicketUsedLog(BigInteger TokenId) : ContractLog;

/// <summary>Payment token (ERC-20): Transfer(from, to, value); from or to is the zero address for a mint or burn.</summary>
public sealed record TokenTransferLog(string From, string To, BigInteger Value) : ContractLog;
