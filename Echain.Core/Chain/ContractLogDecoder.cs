using System.Collections.Frozen;
using System.Numerics;
using Microsoft.Extensions.Options;

namespace Echain.Core.Chain;

/// <summary>Why a chain event is acknowledged but not projected: the one vocabulary of ingest, projector and metrics.</summary>
public static class IgnoreReasons
{
    /// <summary>The log's contract is in neither Echain:TicketContracts nor Echain:PaymentTokens.</summary>
    public const string UnconfiguredContract = "unconfigured-contract";

    /// <summary>A configured contract, but an event Echain does not project (an Approval, say).</summary>
    public const string UnknownEvent = "unknown-event";

    /// <summary>
    /// A ticket-contract event that only tells wallets and marketplaces to refresh token metadata (TicketBaseURIUpdated,
    /// ERC-4906 MetadataUpdate and BatchMetadataUpdate): the metadata Echain serves is built from the projected events,
    /// which already carry every change these announce.
    /// </summary>
    public const string MetadataSignal = "metadata-signal";
}

/// <summary>
/// What <see cref="ContractLogDecoder.Decode"/> made of a chain event: exactly one of <paramref name="Log"/> and
/// <paramref name="IgnoreReason"/> is set. <paramref name="Contract"/> is the log's contract, lowercase.
/// </summary>
public sealed record DecodedLog(string Contract, ContractLog? Log, string? IgnoreReason);

/// <summary>
/// The one rule that turns a <see cref="ChainEvent"/> into a <see cref="ContractLog"/>: which contracts are
/// Echain's (from <see cref="EchainOptions"/>) and which of their events it projects. Ingest and the
/// projector share it, so an event ingest queues is one the projector applies.
/// </summary>
public sealed class ContractLogDecoder
{
    private static readonly FrozenDictionary<string, Func<ChainEvent, ContractLog>> TicketContractLogs =
        new Dictionary<string, Func<ChainEvent, ContractLog>>(StringComparer.Ordinal)
        {
            ["EventCreated"] = e => new EventCreatedLog(Number(e, "eventId"), Address(e, "creator"), Number(e, "maxTickets"), Details(e)),
            ["EventUpdated"] = e => new EventUpdatedLog(Number(e, "eventId"), Details(e)),
            ["TicketPurchased"] = e => new TicketPurchasedLog(Number(e, "eventId"), Number(e, "tokenId"), Address(e, "buyer"),
                Number(e, "price"), e.Parameter("ticketType")),
            ["Transfer"] = e => new TicketTransferLog(Address(e, "from"), Address(e, "to"), Number(e, "tokenId")),
            ["TicketUsed"] = e => new TicketUsedLog(Number(e, "tokenId")),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The ticket contract's events that are known and deliberately not projected (<see cref="IgnoreReasons.MetadataSignal"/>).</summary>
    public static readonly FrozenSet<string> TicketMetadataSignals =
        new[] { "TicketBaseURIUpdated", "MetadataUpdate", "BatchMetadataUpdate" }.ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, Func<ChainEvent, ContractLog>> PaymentTokenLogs =
        new Dictionary<string, Func<ChainEvent, ContractLog>>(StringComparer.Ordinal)
        {
            ["Transfer"] = e => new TokenTransferLog(Address(e, "from"), Address(e, "to"), Number(e, "value")),
        }.ToFrozenDictionary(StringComparer.Ordinal);

    private readonly FrozenSet<string> _ticketContracts;
    private readonly FrozenSet<string> _paymentTokens;

    public ContractLogDecoder(IOptions<EchainOptions> options)
    {
        // Case-insensitive: configuration may hold EIP-55 checksummed addresses, events carry lowercase ones.
        _ticketContracts = options.Value.TicketContracts.Select(c => c.Trim()).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        _paymentTokens = options.Value.PaymentTokens.Select(c => c.Trim()).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>
    /// Null when Echain projects this event; otherwise one of <see cref="IgnoreReasons"/>. Reads no parameter
    /// (a removal carries none); ingest calls <see cref="Decode"/>, so a malformed log is refused at the door.
    /// </summary>
    public string? IgnoreReason(ChainEvent chainEvent) => Classify(chainEvent).IgnoreReason;

    /// <summary>
    /// The typed log, or why the event is ignored. Throws <see cref="InvalidChainEventException"/> when a projected
    /// event lacks a parameter or carries one that is not what the contract emits: such a log can never apply.
    /// </summary>
    public DecodedLog Decode(ChainEvent chainEvent)
    {
        var contract = EthAddress.TryNormalize(chainEvent.Contract, out var normalized) ? normalized : chainEvent.Contract.ToLowerInvariant();
        var (decode, reason) = Classify(chainEvent);
        return new DecodedLog(contract, decode?.Invoke(chainEvent), reason);
    }

    private (Func<ChainEvent, ContractLog>? Decode, string? IgnoreReason) Classify(ChainEvent chainEvent)
    {
        var logs = _ticketContracts.Contains(chainEvent.Contract) ? TicketContractLogs
            : _paymentTokens.Contains(chainEvent.Contract) ? PaymentTokenLogs
            : null;
        if (logs is null) return (null, IgnoreReasons.UnconfiguredContract);
        if (logs.TryGetValue(chainEvent.EventName, out var decode)) return (decode, null);
        return ReferenceEquals(logs, TicketContractLogs) && TicketMetadataSignals.Contains(chainEvent.EventName)
            ? (null, IgnoreReasons.MetadataSignal)
            : (null, IgnoreReasons.UnknownEvent);
    }

    private static EventDetails Details(ChainEvent e) => new(
        e.Parameter("title"), e.Parameter("description"), UnixTime(e, "startTime"), UnixTime(e, "endTime"), Number(e, "ticketPrice"));

    private static BigInteger Number(ChainEvent e, string name) =>
        Uint256.TryParse(e.Parameter(name), out var value)
            ? value
            : throw new InvalidChainEventException($"{e.EventName} log {e.Key}: parameter '{name}' is not a uint256.", name);

    private static string Address(ChainEvent e, string name) =>
        EthAddress.TryNormalize(e.Parameter(name), out var address)
            ? address
            : throw new InvalidChainEventException($"{e.EventName} log {e.Key}: parameter '{name}' is not an address.", name);

    private static DateTimeOffset UnixTime(ChainEvent e, string name)
    {
        var seconds = Number(e, name);
        // uint64 on-chain, but DateTimeOffset (and a sane event) ends at year 9999.
        if (seconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
            throw new InvalidChainEventException($"{e.EventName} log {e.Key}: parameter '{name}' is beyond year 9999.", name);
        return DateTimeOffset.FromUnixTimeSeconds((long)seconds);
    }
}
