using System.Text.Json;
using Echain.Core.Chain;

namespace Echain.Core.Reads;

/// <summary>
/// The read side: validates ids, then cache-aside over <see cref="TicketReadRepository"/>.
/// Returns serialized JSON so a cache hit is written to the response without re-serializing.
/// </summary>
public sealed class TicketReads(TicketReadRepository repository, IReadCache cache)
{
    public const int MaxPageSize = 200;
    public const int DefaultPageSize = 50;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task<CachedJson?> GetEventAsync(TicketedEventId eventId, CancellationToken ct) =>
        cache.GetOrLoadAsync(CacheResources.Event(eventId.Value), "", CacheTtl.Event,
            async c => Serialize(await repository.GetEventAsync(eventId.Value, c)), ct);

    /// <summary>One ticket (<see cref="TicketView"/>); null when no log of the token is known (404).</summary>
    public Task<CachedJson?> GetTicketAsync(TicketTokenId tokenId, CancellationToken ct) =>
        cache.GetOrLoadAsync(CacheResources.Ticket(tokenId.Value), "", CacheTtl.EventTickets,
            async c => Serialize(await repository.GetTicketAsync(tokenId.Value, c)), ct);

    public Task<CachedJson?> ListEventsAsync(string? cursor, PageSize limit, CancellationToken ct) =>
        cache.GetOrLoadAsync(CacheResources.EventList, Variant(cursor, limit), CacheTtl.Event,
            async c => Serialize(await repository.ListEventsAsync(cursor, limit.Value, c)), ct);

    /// <summary>Null when the event is unknown (404), so a typo is not answered with an empty list.</summary>
    public Task<CachedJson?> GetEventTicketsAsync(TicketedEventId eventId, string? cursor, PageSize limit, CancellationToken ct) =>
        cache.GetOrLoadAsync(CacheResources.EventTickets(eventId.Value), Variant(cursor, limit), CacheTtl.EventTickets,
            async c => await repository.GetEventAsync(eventId.Value, c) is null
                ? null
                : Serialize(await repository.GetEventTicketsAsync(eventId.Value, cursor, limit.Value, c)), ct);

    /// <summary>Newest first; null when the event is unknown (404).</summary>
    public Task<CachedJson?> GetEventActivityAsync(TicketedEventId eventId, string? cursor, PageSize limit, CancellationToken ct) =>
        cache.GetOrLoadAsync(CacheResources.EventActivity(eventId.Value), Variant(cursor, limit), CacheTtl.EventTickets,
            async c => await repository.GetEventAsync(eventId.Value, c) is null
                ? null
                : Serialize(await repository.GetEventActivityAsync(eventId.Value, cursor, limit.Value, c)), ct);

    public Task<CachedJson?> GetUserTicketsAsync(WalletAddress address, CancellationToken ct) =>
        cache.GetOrLoadAsync(CacheResources.UserTickets(address.Value), "", CacheTtl.UserTickets,
            async c => Serialize(await repository.GetUserTicketsAsync(address.Value, c)), ct);

    public Task<CachedJson?> GetUserBalancesAsync(WalletAddress address, CancellationToken ct) =>
        cache.GetOrLoadAsync(CacheResources.UserBalances(address.Value), "", CacheTtl.MarketData,
            async c => Serialize(await repository.GetUserBalancesAsync(address.Value, c)), ct);

    public Task<CachedJson?> GetUserTransactionsAsync(WalletAddress address, string? cursor, PageSize limit, CancellationToken ct) =>
        cache.GetOrLoadAsync(CacheResources.UserTransactions(address.Value), Variant(cursor, limit), CacheTtl.UserTickets,
            async c => Serialize(await repository.GetUserTransactionsAsync(address.Value, cursor, limit.Value, c)), ct);

    private static string Variant(string? cursor, PageSize limit) => $"{cursor}|{limit.Value}";

    private static byte[]? Serialize<T>(T? value) where T : class =>
        value is null ? null : JsonSerializer.SerializeToUtf8Bytes(value, Json);
}

/// <summary>A uint256 event id in canonical decimal form.</summary>
public readonly record struct TicketedEventId(string Value)
{
    public static bool TryParse(string? text, out TicketedEventId id)
    {
        var ok = Uint256.TryCanonicalize(text, out var canonical);
        id = new TicketedEventId(canonical);
        return ok;
    }
}

/// <summary>A uint256 ERC-721 token id in canonical decimal form.</summary>
public readonly record struct TicketTokenId(string Value)
{
    public static bool TryParse(string? text, out TicketTokenId id)
    {
        var ok = Uint256.TryCanonicalize(text, out var canonical);
        id = new TicketTokenId(canonical);
        return ok;
    }
}

/// <summary>A lowercase wallet address.</summary>
public readonly record struct WalletAddress(string Value)
{
    public static bool TryParse(string? text, out WalletAddress address)
    {
        var ok = EthAddress.TryNormalize(text, out var normalized);
        address = new WalletAddress(normalized);
        return ok;
    }
}

/// <summary>A page size within 1..<see cref="TicketReads.MaxPageSize"/>.</summary>
public readonly record struct PageSize(int Value)
{
    public static bool TryParse(string? text, out PageSize size)
    {
        size = new PageSize(TicketReads.DefaultPageSize);
        if (string.IsNullOrEmpty(text)) return true;
        if (!int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
            || n < 1 || n > TicketReads.MaxPageSize) return false;
        size = new PageSize(n);
        return true;
    }
}
