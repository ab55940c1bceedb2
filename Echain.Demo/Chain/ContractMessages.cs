using System.Numerics;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;

namespace Echain.Demo.Chain;

// Typed Nethereum messages for the public functions of contracts/EchainTickets.sol and TestUsdc.sol.
// Nethereum does the ABI encoding; these only name the functions and their parameters.

public sealed class TestUsdcDeployment() : ContractDeploymentMessage(ContractArtifact.TestUsdc.Bytecode);

public sealed class EchainTicketsDeployment() : ContractDeploymentMessage(ContractArtifact.EchainTickets.Bytecode)
{
    [Parameter("address", "paymentToken_", 1)] public string PaymentToken { get; set; } = "";
}

[Function("createEvent", "uint256")]
public sealed class CreateEventFunction : FunctionMessage
{
    [Parameter("string", "title", 1)] public string Title { get; set; } = "";
    [Parameter("string", "description", 2)] public string Description { get; set; } = "";
    [Parameter("uint64", "startTime", 3)] public ulong StartTime { get; set; }
    [Parameter("uint64", "endTime", 4)] public ulong EndTime { get; set; }
    [Parameter("uint256", "maxTickets", 5)] public BigInteger MaxTickets { get; set; }
    [Parameter("uint256", "ticketPrice", 6)] public BigInteger TicketPrice { get; set; }
}

[Function("updateEvent")]
public sealed class UpdateEventFunction : FunctionMessage
{
    [Parameter("uint256", "eventId", 1)] public BigInteger EventId { get; set; }
    [Parameter("string", "title", 2)] public string Title { get; set; } = "";
    [Parameter("string", "description", 3)] public string Description { get; set; } = "";
    [Parameter("uint64", "startTime", 4)] public ulong StartTime { get; set; }
    [Parameter("uint64", "endTime", 5)] public ulong EndTime { get; set; }
    [Parameter("uint256", "ticketPrice", 6)] public BigInteger TicketPrice { get; set; }
}

[Function("purchaseTicket", "uint256")]
public sealed class PurchaseTicketFunction : FunctionMessage
{
    [Parameter("uint256", "eventId", 1)] public BigInteger EventId { get; set; }
    [Parameter("string", "ticketType", 2)] public string TicketType { get; set; } = "";
}

[Function("useTicket")]
public sealed class UseTicketFunction : FunctionMessage
{
    [Parameter("uint256", "tokenId", 1)] public BigInteger TokenId { get; set; }
}

/// <summary>The event's organizer sets the base of its tickets' tokenURI ("" clears it; otherwise it ends in "/").</summary>
[Function("setTicketBaseURI")]
public sealed class SetTicketBaseUriFunction : FunctionMessage
{
    [Parameter("uint256", "eventId", 1)] public BigInteger EventId { get; set; }
    [Parameter("string", "baseURI", 2)] public string BaseUri { get; set; } = "";
}

[Function("ticketBaseURI", "string")]
public sealed class TicketBaseUriFunction : FunctionMessage
{
    [Parameter("uint256", "eventId", 1)] public BigInteger EventId { get; set; }
}

/// <summary>ERC-721 metadata: `{base}{tokenId}/metadata`, or "" while the event has no base.</summary>
[Function("tokenURI", "string")]
public sealed class TokenUriFunction : FunctionMessage
{
    [Parameter("uint256", "tokenId", 1)] public BigInteger TokenId { get; set; }
}

/// <summary>ERC-165, what wallets ask before they rely on ERC-721 metadata (0x5b5e139f) or ERC-4906 (0x49064906).</summary>
[Function("supportsInterface", "bool")]
public sealed class SupportsInterfaceFunction : FunctionMessage
{
    [Parameter("bytes4", "interfaceId", 1)] public byte[] InterfaceId { get; set; } = [];
}

/// <summary>ERC-721 transferFrom on the ticket contract, ERC-20 transferFrom on a token (same selector, same shape).</summary>
[Function("transferFrom")]
public sealed class TransferFromFunction : FunctionMessage
{
    [Parameter("address", "from", 1)] public string From { get; set; } = "";
    [Parameter("address", "to", 2)] public string To { get; set; } = "";
    [Parameter("uint256", "tokenId", 3)] public BigInteger TokenIdOrValue { get; set; }
}

[Function("ownerOf", "address")]
public sealed class OwnerOfFunction : FunctionMessage
{
    [Parameter("uint256", "tokenId", 1)] public BigInteger TokenId { get; set; }
}

[Function("isUsed", "bool")]
public sealed class IsUsedFunction : FunctionMessage
{
    [Parameter("uint256", "tokenId", 1)] public BigInteger TokenId { get; set; }
}

[Function("ticketEvent", "uint256")]
public sealed class TicketEventFunction : FunctionMessage
{
    [Parameter("uint256", "tokenId", 1)] public BigInteger TokenId { get; set; }
}

[Function("paymentToken", "address")]
public sealed class PaymentTokenFunction : FunctionMessage;

[Function("eventInfo", typeof(EventInfoOutput))]
public sealed class EventInfoFunction : FunctionMessage
{
    [Parameter("uint256", "eventId", 1)] public BigInteger EventId { get; set; }
}

[FunctionOutput]
public sealed class EventInfoOutput : IFunctionOutputDTO
{
    [Parameter("tuple", "", 1)] public TicketedEvent Event { get; set; } = new();
}

public sealed class TicketedEvent
{
    [Parameter("address", "organizer", 1)] public string Organizer { get; set; } = "";
    [Parameter("string", "title", 2)] public string Title { get; set; } = "";
    [Parameter("string", "description", 3)] public string Description { get; set; } = "";
    [Parameter("uint64", "startTime", 4)] public ulong StartTime { get; set; }
    [Parameter("uint64", "endTime", 5)] public ulong EndTime { get; set; }
    [Parameter("uint256", "maxTickets", 6)] public BigInteger MaxTickets { get; set; }
    [Parameter("uint256", "ticketPrice", 7)] public BigInteger TicketPrice { get; set; }
    [Parameter("uint256", "sold", 8)] public BigInteger Sold { get; set; }
}

[Function("mint")]
public sealed class MintFunction : FunctionMessage
{
    [Parameter("address", "to", 1)] public string To { get; set; } = "";
    [Parameter("uint256", "amount", 2)] public BigInteger Amount { get; set; }
}

[Function("approve", "bool")]
public sealed class ApproveFunction : FunctionMessage
{
    [Parameter("address", "spender", 1)] public string Spender { get; set; } = "";
    [Parameter("uint256", "value", 2)] public BigInteger Value { get; set; }
}

[Function("transfer", "bool")]
public sealed class TransferFunction : FunctionMessage
{
    [Parameter("address", "to", 1)] public string To { get; set; } = "";
    [Parameter("uint256", "value", 2)] public BigInteger Value { get; set; }
}

/// <summary>ERC-20 and ERC-721 balanceOf (same selector).</summary>
[Function("balanceOf", "uint256")]
public sealed class BalanceOfFunction : FunctionMessage
{
    [Parameter("address", "account", 1)] public string Owner { get; set; } = "";
}
