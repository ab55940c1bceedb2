using System.Text.Json.Serialization;

namespace Echain.Core.Reads;

// JSON field names are part of the contract with the frontend (camelCase via JsonSerializerDefaults.Web).
// uint256 ids and amounts are decimal strings; addresses lowercase; times ISO-8601 UTC.
// Final (JSON "final"): every block the item shows is reconciled with the canonical chain and final
// (chain_checkpoints.reconciled_block of the configured network), so a reorg cannot change it any more.

public sealed record EventView(
    string EventId, string Creator, string Title, string Description,
    DateTimeOffset StartTime, DateTimeOffset EndTime,
    string MaxTickets, string TicketPrice, long TicketsSold, string Available);

public sealed record TicketView(
    string TokenId, string? EventId, string Owner, string? TicketType, string? Price, bool IsUsed, bool Final);

public sealed record EventSummary(string EventId, string Title, DateTimeOffset StartTime, DateTimeOffset EndTime);

public sealed record UserTicketView(
    string TokenId, string? EventId, string Owner, string? TicketType, string? Price, bool IsUsed,
    EventSummary? Event, bool Final);

/// <summary>
/// Balance is the chain's balanceOf at an observed final block plus the transfers seen since, never below 0;
/// final when it was observed and no transfer of the holder came after the observation.
/// </summary>
public sealed record BalanceView(string Token, string Balance, bool Final);

public sealed record TransactionView(
    string TxHash, int LogIndex, long BlockNumber, DateTimeOffset? BlockTime,
    string Kind, string Contract, string From, string To,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? TokenId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Value,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? EventId,
    bool Final);

/// <summary>
/// One entry of an event's activity: kind is purchase (buyer, price), mint / transfer / burn (from, to) or check-in.
/// </summary>
public sealed record ActivityView(
    string Kind, string TokenId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? From,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? To,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Buyer,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Price,
    string TxHash, int LogIndex, long BlockNumber, DateTimeOffset? BlockTime, bool Final);

public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);

public sealed record ItemList<T>(IReadOnlyList<T> Items);

/// <summary>Cache resource names (unprefixed; the cache adds "echain:v1:"). The original design's invalidation list plus ours.</summary>
public static class CacheResources
{
    public const string EventList = "events";
    public static string Event(string eventId) => $"event:{eventId}";
    public static string EventTickets(string eventId) => $"event-tickets:{eventId}";
    public static string EventAnalytics(string eventId) => $"event-analytics:{eventId}";
    public static string EventActivity(string eventId) => $"event-activity:{eventId}";
    /// <summary>One ticket (owner, type, price, used): its metadata and image combine it with its event's entry.</summary>
    public static string Ticket(string tokenId) => $"ticket:{tokenId}";
    public static string UserTickets(string address) => $"user-tickets:{address}";
    public static string UserBalances(string address) => $"user-balances:{address}";
    public static string UserTransactions(string address) => $"user-transactions:{address}";
    public static string UserAnalytics(string address) => $"user-analytics:{address}";
    /// <summary>The subgraph's ticket collections that no one event or holder pins (any ticket, or an event's details, changes them).</summary>
    public const string TicketList = "tickets";
    /// <summary>The subgraph's transactions that no one event pins, and transactions by id (any activity, ticket or event changes them).</summary>
    public const string TransactionList = "transactions";
}

/// <summary>The original design's TTLs (docs/architecture.md, "Cache").</summary>
public static class CacheTtl
{
    public static readonly TimeSpan Event = TimeSpan.FromSeconds(300);
    public static readonly TimeSpan EventTickets = TimeSpan.FromSeconds(600);
    public static readonly TimeSpan UserTickets = TimeSpan.FromSeconds(600);
    public static readonly TimeSpan Analytics = TimeSpan.FromSeconds(1800);
    public static readonly TimeSpan MarketData = TimeSpan.FromSeconds(60);
}
