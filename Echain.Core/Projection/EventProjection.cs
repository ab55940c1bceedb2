using System.Numerics;
using Echain.Core.Chain;
using Echain.Core.Realtime;

namespace Echain.Core.Projection;

/// <summary>
/// The events aggregate: EventCreated and EventUpdated. The creation fields and the details are versioned
/// separately, so an EventUpdated that arrives before its EventCreated keeps its newer details.
/// </summary>
internal static partial class EventProjection
{
    public static Task ApplyAsync(ProjectionContext c, EventCreatedLog created) => ApplyAsync(c, created.EventId, created, created.Details);

    public static Task ApplyAsync(ProjectionContext c, EventUpdatedLog updated) => ApplyAsync(c, updated.EventId, null, updated.Details);

    private static async Task ApplyAsync(ProjectionContext c, BigInteger eventId, EventCreatedLog? created, EventDetails details)
    {
        await Sql.ExecuteAsync(c.Connection, "INSERT INTO events (event_id) VALUES ($1) ON CONFLICT DO NOTHING", c.Ct, eventId);

        var stored = await LockAsync(c, eventId);

        var version = c.Version;
        var updates = new Dictionary<string, object?>(StringComparer.Ordinal);
        var id = eventId.ToDecimal();

        var isCreated = stored.Created;
        var creator = stored.Creator;
        var maxTickets = stored.MaxTickets;
        var createdVersion = stored.CreatedVersion;
        if (created is not null && (!stored.Created || version.IsNewerThan(stored.CreatedVersion)))
        {
            isCreated = true;
            createdVersion = version;
            if (creator != created.Creator) updates["creator"] = creator = created.Creator;
            if (maxTickets != created.MaxTickets) { maxTickets = created.MaxTickets; updates["maxTickets"] = created.MaxTickets.ToDecimal(); }
        }

        var current = stored.Details;
        var detailsVersion = stored.DetailsVersion;
        var detailsWritten = stored.DetailsVersion is null || version.IsNewerThan(stored.DetailsVersion);
        if (detailsWritten)
        {
            var fresh = stored.DetailsVersion is null;
            if (fresh || current.Title != details.Title) updates["title"] = details.Title;
            if (fresh || current.Description != details.Description) updates["description"] = details.Description;
            if (fresh || current.StartTime != details.StartTime) updates["startTime"] = details.StartTime;
            if (fresh || current.EndTime != details.EndTime) updates["endTime"] = details.EndTime;
            if (fresh || current.TicketPrice != details.TicketPrice) updates["ticketPrice"] = details.TicketPrice.ToDecimal();
            current = details;
            detailsVersion = version;
        }

        await Sql.ExecuteAsync(c.Connection,
            """
            UPDATE events SET created = $2, creator = $3, max_tickets = $4, created_block = $5, created_log = $6,
                title = $7, description = $8, start_time = $9, end_time = $10, ticket_price = $11,
                details_block = $12, details_log = $13
            WHERE event_id = $1
            """, c.Ct, eventId, isCreated, creator, maxTickets, createdVersion?.Block, createdVersion?.Log,
            PgText.Store(current.Title), PgText.Store(current.Description), current.StartTime, current.EndTime, current.TicketPrice,
            detailsVersion?.Block, detailsVersion?.Log);

        if (updates.Count == 0)
        {
            // Same details from a newer log: nothing the REST reads show changed, but the subgraph's updatedAt is that log's time.
            if (isCreated && detailsWritten && stored.DetailsVersion is not null) c.Effects.EventDetailsChanged(id);
            return;
        }

        // Only a created event is visible; an EventUpdated seen first changes nothing anyone can read.
        if (isCreated)
        {
            c.Effects.EventDetailsChanged(id);
            // Its tickets and activity, bought before it was seen, now have their (non-null) event in the subgraph.
            if (created is not null && !stored.Created) c.Effects.EventTicketsChanged(id);
            // User ticket lists embed the event summary (title, start, end).
            if (updates.ContainsKey("title") || updates.ContainsKey("startTime") || updates.ContainsKey("endTime")
                || (created is not null && !stored.Created))
            {
                foreach (var holder in await Sql.QueryStringsAsync(c.Connection, c.Ct,
                             "SELECT DISTINCT holder FROM tickets WHERE event_id = $1 AND holder IS NOT NULL", eventId))
                    c.Effects.UserTicketsChanged(holder);
            }
        }

        c.Effects.Emit(RealtimeMessage.ToGroup(RealtimeTargets.EventUpdated,
            new EventUpdatedPayload(id, updates), RealtimeTargets.EventGroup(id)));
    }

    /// <summary>The event's row, locked: its logs apply one at a time whatever order they arrive in.</summary>
    private static async Task<StoredEvent> LockAsync(ProjectionContext c, BigInteger eventId)
    {
        await using var command = Sql.Command(c.Connection,
            """
            SELECT created, creator, max_tickets, created_block, created_log,
                   title, description, start_time, end_time, ticket_price, details_block, details_log
            FROM events WHERE event_id = $1 FOR UPDATE
            """, eventId);
        await using var reader = await command.ExecuteReaderAsync(c.Ct);
        await reader.ReadAsync(c.Ct);
        return new StoredEvent(
            reader.GetBoolean(0),
            Sql.NullableString(reader, 1),
            reader.IsDBNull(2) ? null : reader.GetFieldValue<BigInteger>(2),
            LogVersion.Read(reader, 3),
            new EventDetails(
                PgText.Read(Sql.NullableString(reader, 5) ?? ""),
                PgText.Read(Sql.NullableString(reader, 6) ?? ""),
                reader.IsDBNull(7) ? default : reader.GetFieldValue<DateTimeOffset>(7),
                reader.IsDBNull(8) ? default : reader.GetFieldValue<DateTimeOffset>(8),
                reader.IsDBNull(9) ? BigInteger.Zero : reader.GetFieldValue<BigInteger>(9)),
            LogVersion.Read(reader, 10));
    }

    private sealed record StoredEvent(bool Created, string? Creator, BigInteger? MaxTickets, LogVersion? CreatedVersion,
        EventDetails Details, LogVersion? DetailsVersion);
}
