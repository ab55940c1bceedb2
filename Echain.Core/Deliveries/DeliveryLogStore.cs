using System.Text;
using Echain.Core.Projection;
using Npgsql;
using NpgsqlTypes;

namespace Echain.Core.Deliveries;

/// <summary>One row of the delivery log as the admin routes show it.</summary>
public sealed record StoredDelivery(
    long Id,
    DateTimeOffset ReceivedAt,
    int Status,
    string Outcome,
    string? Reason,
    string? Field,
    IReadOnlyList<string> SignedHeaders,
    string? EventId,
    string? EventType,
    IReadOnlyList<string> EventKeys,
    byte[] Body,
    int BodyBytes,
    bool Truncated,
    long? ReplayOf)
{
    /// <summary>The body as text for display: invalid UTF-8 shows as U+FFFD (a replay uses the bytes).</summary>
    public string BodyText => Encoding.UTF8.GetString(Body);
}

/// <summary>A delivery answered with a failure: when, the status, the ingest's outcome and reason (no body, no headers).</summary>
public sealed record DeliveryFailure(long Id, DateTimeOffset ReceivedAt, int Status, string Outcome, string? Reason, string? EventType);

/// <summary>What to look for: every filter optional; newest first, ids below <paramref name="Before"/> (the cursor).</summary>
public sealed record DeliverySearch(string? TransactionHash, int? Status, DateTimeOffset? From, DateTimeOffset? To, long? Before, int Limit);

/// <summary>webhook_deliveries (migration 0009): batched writes, search, lookup by id, and the retention delete.</summary>
public sealed class DeliveryLogStore(NpgsqlDataSource dataSource)
{
    private const string Columns =
        "id, received_at, status, outcome, reason, field, signed_headers, event_id, event_type, event_keys, body, body_bytes, truncated, replay_of";

    /// <summary>Writes the batch with one binary COPY: all rows or none.</summary>
    public async Task InsertAsync(IReadOnlyList<BufferedDelivery> batch, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var copy = await connection.BeginBinaryImportAsync(
            """
            COPY webhook_deliveries (received_at, status, outcome, reason, field, signed_headers, event_id, event_type,
                                     event_keys, transaction_hashes, body, body_bytes, truncated, replay_of)
            FROM STDIN (FORMAT BINARY)
            """, ct);
        foreach (var entry in batch)
        {
            var d = entry.Delivery;
            var (bodyHashes, bodyType) = DeliveryBodyFacts.Read(d.Body.Span);
            var hashes = d.EventKeys.Select(k => k.TransactionHash.ToLowerInvariant()).Concat(bodyHashes).Distinct().ToArray();
            await copy.StartRowAsync(ct);
            await copy.WriteAsync(d.ReceivedAt.ToUniversalTime(), NpgsqlDbType.TimestampTz, ct);
            await copy.WriteAsync((short)d.Status, NpgsqlDbType.Smallint, ct);
            await WriteTextAsync(copy, d.Outcome, ct);
            await WriteTextAsync(copy, d.Reason, ct);
            await WriteTextAsync(copy, d.Field, ct);
            await copy.WriteAsync(d.SignedHeaders.Select(DeliveryBodyFacts.Storable).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
            await WriteTextAsync(copy, d.EventId, ct);
            await WriteTextAsync(copy, d.EventType ?? bodyType, ct);
            await copy.WriteAsync(d.EventKeys.Select(k => DeliveryBodyFacts.Storable(k.ToString())).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
            await copy.WriteAsync(hashes, NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
            // The buffer already copied the body (capped) when it was recorded; written as it is.
            await copy.WriteAsync(d.Body, NpgsqlDbType.Bytea, ct);
            await copy.WriteAsync(entry.BodyBytes, NpgsqlDbType.Integer, ct);
            await copy.WriteAsync(entry.Truncated, NpgsqlDbType.Boolean, ct);
            if (d.ReplayOf is { } replayOf) await copy.WriteAsync(replayOf, NpgsqlDbType.Bigint, ct);
            else await copy.WriteNullAsync(ct);
        }
        await copy.CompleteAsync(ct);
    }

    public async Task<List<StoredDelivery>> SearchAsync(DeliverySearch search, CancellationToken ct)
    {
        // Only the filters given, so the planner sees each one (the GIN index for a hash, the primary key for the order).
        var where = new List<string>();
        var args = new List<object?>();
        void Filter(string condition, object value)
        {
            args.Add(value);
            where.Add(condition.Replace("$?", "$" + args.Count, StringComparison.Ordinal));
        }
        if (search.TransactionHash is { } hash) Filter("transaction_hashes @> ARRAY[$?::text]", hash.ToLowerInvariant());
        if (search.Status is { } status) Filter("status = $?", (short)status);
        if (search.From is { } from) Filter("received_at >= $?", from.ToUniversalTime());
        if (search.To is { } to) Filter("received_at <= $?", to.ToUniversalTime());
        if (search.Before is { } before) Filter("id < $?", before);
        args.Add(search.Limit);
        var sql = new StringBuilder($"SELECT {Columns} FROM webhook_deliveries");
        if (where.Count > 0) sql.Append(" WHERE ").AppendJoin(" AND ", where);
        sql.Append($" ORDER BY id DESC LIMIT ${args.Count}");

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = Sql.Command(connection, sql.ToString(), [.. args]);
        return await ReadAllAsync(command, ct);
    }

    public async Task<StoredDelivery?> FindAsync(long id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = Sql.Command(connection, $"SELECT {Columns} FROM webhook_deliveries WHERE id = $1", id);
        return (await ReadAllAsync(command, ct)).SingleOrDefault();
    }

    /// <summary>The newest <paramref name="limit"/> deliveries Echain did not answer 2xx (the operator page; no bodies).</summary>
    public async Task<List<DeliveryFailure>> RecentFailuresAsync(int limit, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var command = Sql.Command(connection,
            "SELECT id, received_at, status, outcome, reason, event_type FROM webhook_deliveries WHERE status NOT BETWEEN 200 AND 299 ORDER BY id DESC LIMIT $1",
            limit);
        var rows = new List<DeliveryFailure>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            rows.Add(new DeliveryFailure(reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetInt16(2),
                reader.GetString(3), Sql.NullableString(reader, 4), Sql.NullableString(reader, 5)));
        return rows;
    }

    /// <summary>Deletes the rows received more than <paramref name="retention"/> ago; returns how many.</summary>
    public async Task<int> PruneAsync(TimeSpan retention, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await Sql.ExecuteAsync(connection, "DELETE FROM webhook_deliveries WHERE received_at < now() - $1", ct, retention);
    }

    private static Task WriteTextAsync(NpgsqlBinaryImporter copy, string? text, CancellationToken ct) =>
        DeliveryBodyFacts.Storable(text) is { } value ? copy.WriteAsync(value, NpgsqlDbType.Text, ct) : copy.WriteNullAsync(ct);

    private static async Task<List<StoredDelivery>> ReadAllAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var rows = new List<StoredDelivery>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            rows.Add(new StoredDelivery(
                Id: reader.GetInt64(0),
                ReceivedAt: reader.GetFieldValue<DateTimeOffset>(1),
                Status: reader.GetInt16(2),
                Outcome: reader.GetString(3),
                Reason: Sql.NullableString(reader, 4),
                Field: Sql.NullableString(reader, 5),
                SignedHeaders: reader.GetFieldValue<string[]>(6),
                EventId: Sql.NullableString(reader, 7),
                EventType: Sql.NullableString(reader, 8),
                EventKeys: reader.GetFieldValue<string[]>(9),
                Body: reader.GetFieldValue<byte[]>(10),
                BodyBytes: reader.GetInt32(11),
                Truncated: reader.GetBoolean(12),
                ReplayOf: reader.IsDBNull(13) ? null : reader.GetInt64(13)));
        return rows;
    }
}
