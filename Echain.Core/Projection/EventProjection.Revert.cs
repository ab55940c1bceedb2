using System.Numerics;
using Echain.Core.Chain;
using Echain.Core.Realtime;

namespace Echain.Core.Projection;

/// <summary>
/// Undoing an EventCreated or EventUpdated a reorg dropped: the event is recomputed from the logs of its id that
/// remain in applied_logs (creation from the newest EventCreated, details from the newest of both), so the undo
/// ends where applying only the remaining logs would.
/// </summary>
internal static partial class EventProjection
{
    public static Task RevertAsync(ProjectionContext c, EventCreatedLog created) => RevertAsync(c, created.EventId);

    public static Task RevertAsync(ProjectionContext c, EventUpdatedLog updated) => RevertAsync(c, updated.EventId);

    private static async Task RevertAsync(ProjectionContext c, BigInteger eventId)
    {
        await Sql.ExecuteAsync(c.Connection, "INSERT INTO events (event_id) VALUES ($1) ON CONFLICT DO NOTHING", c.Ct, eventId);
        var stored = await LockAsync(c, eventId);
        var id = eventId.ToDecimal();

        // The caller deleted the undone log's applied row: these are the logs that remain, newest first.
        (string Creator, BigInteger MaxTickets, LogVersion Version)? creation = null;
        (EventDetails Details, LogVersion Version)? details = null;
        await using (var command = Sql.Command(c.Connection,
            """
            SELECT event_name, block_number, log_index, parameters->>'creator', (parameters->>'maxTickets')::numeric,
                   parameters->>'title', parameters->>'description', to_timestamp((parameters->>'startTime')::numeric),
                   to_timestamp((parameters->>'endTime')::numeric), (parameters->>'ticketPrice')::numeric
            FROM applied_logs
            WHERE event_name IN ('EventCreated', 'EventUpdated') AND parameters->>'eventId' = $1
            ORDER BY block_number DESC, log_index DESC
            """, id))
        await using (var reader = await command.ExecuteReaderAsync(c.Ct))
        {
            while ((creation is null || details is null) && await reader.ReadAsync(c.Ct))
            {
                // A log applied before migration 0004 may have only some of its parameters back (see there).
                var version = new LogVersion(reader.GetInt64(1), reader.GetInt32(2));
                if (details is null && !reader.IsDBNull(5))
                    details = (new EventDetails(PgText.Read(reader.GetString(5)), PgText.Read(reader.GetString(6)), reader.GetFieldValue<DateTimeOffset>(7),
                        reader.GetFieldValue<DateTimeOffset>(8), reader.GetFieldValue<BigInteger>(9)), version);
                if (creation is null && reader.GetString(0) == "EventCreated" && !reader.IsDBNull(3))
                    creation = (reader.GetString(3), reader.GetFieldValue<BigInteger>(4), version);
            }
        }

        var updates = new Dictionary<string, object?>(StringComparer.Ordinal);
        var detailsMoved = false;
        if (details is null && creation is null)
        {
            // No log of the event remains: it was never seen.
            await Sql.ExecuteAsync(c.Connection, "DELETE FROM events WHERE event_id = $1", c.Ct, eventId);
        }
        else
        {
            if (stored.Created && creation is null) updates["removed"] = true;
            if (creation is { } made)
            {
                if (stored.Creator != made.Creator) updates["creator"] = made.Creator;
                if (stored.MaxTickets != made.MaxTickets) updates["maxTickets"] = made.MaxTickets.ToDecimal();
            }

            // No details with parameters remain only for a legacy log (before 0004): keep what is stored.
            var current = stored.Details;
            var (now, nowVersion) = details is { } d ? (d.Details, d.Version) : (current, stored.DetailsVersion);
            detailsMoved = nowVersion != stored.DetailsVersion;
            if (current.Title != now.Title) updates["title"] = now.Title;
            if (current.Description != now.Description) updates["description"] = now.Description;
            if (current.StartTime != now.StartTime) updates["startTime"] = now.StartTime;
            if (current.EndTime != now.EndTime) updates["endTime"] = now.EndTime;
            if (current.TicketPrice != now.TicketPrice) updates["ticketPrice"] = now.TicketPrice.ToDecimal();

            await Sql.ExecuteAsync(c.Connection,
                """
                UPDATE events SET created = $2, creator = $3, max_tickets = $4, created_block = $5, created_log = $6,
                    title = $7, description = $8, start_time = $9, end_time = $10, ticket_price = $11,
                    details_block = $12, details_log = $13
                WHERE event_id = $1
                """, c.Ct, eventId, creation is not null, creation?.Creator, creation?.MaxTickets, creation?.Version.Block,
                creation?.Version.Log, PgText.Store(now.Title), PgText.Store(now.Description), now.StartTime, now.EndTime, now.TicketPrice,
                nowVersion?.Block, nowVersion?.Log);
        }

        if (details is null && creation is null && stored.Created) updates["removed"] = true;
        if (updates.Count == 0)
        {
            // The same details from an older log: only the subgraph's updatedAt (that log's time) changed.
            if (detailsMoved && stored.Created && creation is not null) c.Effects.EventDetailsChanged(id);
            return;
        }

        // Readers only ever saw a created event; one that never was created changes nothing anyone can read.
        if (stored.Created || creation is not null)
        {
            c.Effects.EventDetailsChanged(id);
            // Its tickets and activity leave the subgraph with it (their event is non-null), or join it.
            if (updates.ContainsKey("removed") || (creation is not null && !stored.Created)) c.Effects.EventTicketsChanged(id);
            // User ticket lists embed the event summary (title, start, end), or lose it with the event.
            if (updates.ContainsKey("title") || updates.ContainsKey("startTime") || updates.ContainsKey("endTime")
                || updates.ContainsKey("removed") || (creation is not null && !stored.Created))
            {
                foreach (var holder in await Sql.QueryStringsAsync(c.Connection, c.Ct,
                             "SELECT DISTINCT holder FROM tickets WHERE event_id = $1 AND holder IS NOT NULL", eventId))
                    c.Effects.UserTicketsChanged(holder);
            }
        }

        // A removed event says only that: its other fields are no longer anyone's to read.
        if (updates.ContainsKey("removed")) updates = new Dictionary<string, object?>(StringComparer.Ordinal) { ["removed"] = true };
        c.Effects.Emit(RealtimeMessage.ToGroup(RealtimeTargets.EventUpdated, new EventUpdatedPayload(id, updates),
            RealtimeTargets.EventGroup(id)));
    }
}
