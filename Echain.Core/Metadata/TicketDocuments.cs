using System.Text.Json;
using Echain.Core.Reads;

namespace Echain.Core.Metadata;

/// <summary>A composed ticket answer: the exact bytes, their strong ETag, and whether both cached entries came from Redis.</summary>
public sealed record TicketDocument(byte[] Bytes, string ETag, CacheSource Source);

/// <summary>The document, or why there is none (a 404's detail).</summary>
public sealed record TicketDocumentRead(TicketDocument? Document, string? Missing);

/// <summary>
/// A ticket's metadata and image, composed per request from two cached entries: the ticket's (<c>ticket:{id}</c>, invalidated
/// by its purchase, transfers, check-ins, their reverts and finality) and its event's (<c>event:{id}</c>, invalidated by
/// event changes). An event update so changes every ticket's metadata without invalidating one entry per ticket, and both
/// entries are current after the change committed (the cache's guarantee), so neither answer shows an old title.
/// </summary>
public sealed class TicketDocuments(TicketReads reads)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task<TicketDocumentRead> GetMetadataAsync(TicketTokenId tokenId, TicketLinks links, CancellationToken ct) =>
        ComposeAsync(tokenId, (ticket, ev) => TicketMetadata.Render(ticket, ev, links), ct);

    public Task<TicketDocumentRead> GetImageAsync(TicketTokenId tokenId, CancellationToken ct) =>
        ComposeAsync(tokenId, TicketImage.Render, ct);

    private async Task<TicketDocumentRead> ComposeAsync(TicketTokenId tokenId, Func<TicketView, EventView, byte[]> render, CancellationToken ct)
    {
        var ticketEntry = await reads.GetTicketAsync(tokenId, ct);
        if (ticketEntry is null) return new TicketDocumentRead(null, $"Ticket {tokenId.Value} is not known.");
        var ticket = JsonSerializer.Deserialize<TicketView>(ticketEntry.Utf8Json, Json)!;
        // A Transfer can arrive before its TicketPurchased: the token exists, its event is not known yet.
        if (ticket.EventId is null || !TicketedEventId.TryParse(ticket.EventId, out var eventId))
            return new TicketDocumentRead(null, $"The event of ticket {tokenId.Value} is not known yet.");
        var eventEntry = await reads.GetEventAsync(eventId, ct);
        if (eventEntry is null) return new TicketDocumentRead(null, $"The event of ticket {tokenId.Value} is not known yet.");
        var ev = JsonSerializer.Deserialize<EventView>(eventEntry.Utf8Json, Json)!;

        var bytes = render(ticket, ev);
        return new TicketDocumentRead(new TicketDocument(bytes, CachedJson.ETagOf(bytes), Combined(ticketEntry.Source, eventEntry.Source)), null);
    }

    /// <summary>A hit only when both entries were; Redis down for either is a bypass.</summary>
    private static CacheSource Combined(CacheSource ticket, CacheSource ev) =>
        ticket == CacheSource.LoadedCacheDown || ev == CacheSource.LoadedCacheDown ? CacheSource.LoadedCacheDown
        : ticket == CacheSource.Cache && ev == CacheSource.Cache ? CacheSource.Cache
        : CacheSource.Loaded;
}
