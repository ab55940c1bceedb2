using System.Globalization;
using System.Numerics;
using Echain.Core.Chain;
using Npgsql;

namespace Echain.Core.Reads;

/// <summary>
/// Analytics over the projection tables, one round trip per answer. A reorg deletes the rows of the logs it undoes
/// (TicketProjection.Revert.cs) and recomputes the tickets row, so these figures never count a rolled-back log.
/// A sold ticket is a tickets row whose newest purchase names the event: the same count the event read shows.
/// </summary>
public sealed class AnalyticsRepository(NpgsqlDataSource dataSource, TimeProvider clock)
{
    // $1 event id, $2 the zero address (holds nothing: a burned ticket). Tickets aggregate over the event's tickets (tickets_event_idx); resales over its activity rows.
    private const string EventFigures =
        """
        SELECT e.max_tickets,
               count(t.token_id),
               coalesce(sum(t.price), 0),
               count(DISTINCT t.holder) FILTER (WHERE t.holder <> $2),
               count(t.token_id) FILTER (WHERE t.is_used),
               (SELECT count(*) FROM event_activity a WHERE a.event_id = $1 AND a.kind = 'transfer')
        FROM events e LEFT JOIN tickets t ON t.event_id = e.event_id
        WHERE e.event_id = $1 AND e.created
        GROUP BY e.max_tickets
        """;

    // $1 event id, $2 window start, $3 window end (exclusive). Each sold ticket's own purchase (the version the tickets
    // row shows) by its block time; a purchase whose block time is unknown is in no bucket.
    private const string HourlyPurchases =
        """
        SELECT floor(extract(epoch FROM a.block_time - $2) / 3600)::int, count(*), sum(t.price)
        FROM tickets t
        JOIN event_activity a ON a.contract = t.contract AND a.token_id = t.token_id AND a.kind = 'purchase'
                             AND a.block_number = t.purchase_block AND a.log_index = t.purchase_log
        WHERE t.event_id = $1 AND a.block_time >= $2 AND a.block_time < $3
        GROUP BY 1
        """;

    // $1 address. ticketsHeld and eventsAttended over what it holds (tickets_holder_idx); totalSpent over what it bought.
    private const string UserFigures =
        """
        SELECT (SELECT count(*) FROM tickets t WHERE t.holder = $1),
               (SELECT count(DISTINCT t.event_id) FROM tickets t WHERE t.holder = $1 AND t.is_used AND t.event_id IS NOT NULL),
               (SELECT coalesce(sum(t.price), 0) FROM tickets t WHERE t.buyer = $1 AND t.event_id IS NOT NULL)
        """;

    /// <summary>Null when the event is unknown or not created yet (404), like the event read.</summary>
    public async Task<EventAnalyticsView?> GetEventAnalyticsAsync(string eventId, CancellationToken ct = default)
    {
        if (!Uint256.TryParse(eventId, out var id))
            throw new InvalidReadArgumentException(nameof(eventId), $"'{eventId}' is not an id (a uint256 in decimal or 0x hex).");
        var windowEnd = AnalyticsWindow.CurrentHour(clock.GetUtcNow());
        var windowStart = windowEnd.AddHours(1 - AnalyticsWindow.Hours);

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(Command(EventFigures, id, EthAddress.Zero));
        batch.BatchCommands.Add(Command(HourlyPurchases, id, windowStart, windowEnd.AddHours(1)));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;

        var max = reader.GetFieldValue<BigInteger>(0);
        var sold = reader.GetInt64(1);
        var revenue = reader.GetFieldValue<BigInteger>(2);
        var holders = reader.GetInt64(3);
        var checkIns = reader.GetInt64(4);
        var resales = reader.GetInt64(5);

        await reader.NextResultAsync(ct);
        var buckets = new (long Tickets, BigInteger Revenue)[AnalyticsWindow.Hours];
        while (await reader.ReadAsync(ct))
            buckets[reader.GetInt32(0)] = (reader.GetInt64(1), reader.GetFieldValue<BigInteger>(2));

        var hours = buckets.Select((b, i) => new HourlySales(windowStart.AddHours(i), b.Tickets, Text(b.Revenue))).ToList();
        return new EventAnalyticsView(
            Text(id), sold, Text(BigInteger.Max(BigInteger.Zero, max - sold)), Text(revenue),
            resales, holders, checkIns, AnalyticsWindow.CheckInRate(checkIns, sold), windowStart, windowEnd, hours);
    }

    /// <summary>Every address has analytics: one with no history has zeros.</summary>
    public async Task<UserAnalyticsView> GetUserAnalyticsAsync(string address, CancellationToken ct = default)
    {
        if (!EthAddress.TryNormalize(address, out var wallet))
            throw new InvalidReadArgumentException("address", $"'{address}' is not an address (0x followed by 40 hex digits).");
        await using var command = dataSource.CreateCommand(UserFigures);
        command.Parameters.Add(new NpgsqlParameter { Value = wallet });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new UserAnalyticsView(wallet, reader.GetInt64(0), reader.GetInt64(1), Text(reader.GetFieldValue<BigInteger>(2)));
    }

    private static NpgsqlBatchCommand Command(string sql, params object[] args)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var arg in args) command.Parameters.Add(new NpgsqlParameter { Value = arg });
        return command;
    }

    private static string Text(BigInteger value) => value.ToString(CultureInfo.InvariantCulture);
}
