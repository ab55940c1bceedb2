using System.Numerics;
using Npgsql;

namespace Echain.Core.Projection;

/// <summary>
/// A batch's ticket rows, locked, as the batch's logs so far have left them, and the writes those logs queued. A run of ticket
/// logs reads its tickets from here instead of the database, and its writes go in one round trip, in the logs' order, when
/// something needs the database to be current: a ticket not locked yet, another kind of log, an undo, the outbox, the commit.
/// </summary>
internal sealed class TicketRows
{
    private readonly Dictionary<(string Contract, BigInteger TokenId), StoredTicket> _tickets = [];
    private readonly List<NpgsqlBatchCommand?> _queued = [];
    // One reader per queued statement that returns rows, in the statements' order.
    private readonly List<Func<NpgsqlDataReader, Task>> _readers = [];
    // The queued logs' activity rows, inserted by one statement where the first of them was queued.
    private readonly List<ActivityRow> _activity = [];
    private int _activitySlot = -1;

    public bool TryGet(string contract, BigInteger tokenId, out StoredTicket ticket) =>
        _tickets.TryGetValue((contract, tokenId), out ticket!);

    /// <summary>What the ticket is once the queued writes are sent (call it after queueing them).</summary>
    public void Set(string contract, BigInteger tokenId, StoredTicket ticket) => _tickets[(contract, tokenId)] = ticket;

    /// <summary>A write, or a query whose rows <paramref name="read"/> takes once the queue is sent.</summary>
    public void Queue(NpgsqlBatchCommand statement, Func<NpgsqlDataReader, Task>? read = null)
    {
        _queued.Add(statement);
        if (read is not null) _readers.Add(read);
    }

    /// <summary>
    /// A log's activity row. The rows queued until the next send go in one statement, where the first was queued, so a later log's row
    /// goes in sooner than alone. Nothing in between can tell: the only statement there that touches such rows is a purchase's relink,
    /// which sets every row of its token to its event, and the rows of the logs after it carry that event already (or a later
    /// purchase's, whose own relink comes after and wins, as it would alone).
    /// </summary>
    public void Queue(ActivityRow row)
    {
        if (_activitySlot < 0)
        {
            _activitySlot = _queued.Count;
            _queued.Add(null);
        }
        _activity.Add(row);
    }

    /// <summary>Sends the queued statements in one round trip, in order.</summary>
    public async Task SendAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        if (_queued.Count == 0) return;
        if (_activitySlot >= 0) _queued[_activitySlot] = ActivityLog.Insert(_activity.ToArray());
        var readers = _readers.ToArray();
        var statements = _queued.Select(q => q!).ToArray();
        _queued.Clear();
        _readers.Clear();
        _activity.Clear();
        _activitySlot = -1;
        var next = 0;
        await Sql.BatchAsync(connection, ct, statements, async reader =>
        {
            if (next == readers.Length) throw new InvalidOperationException("A queued write returned rows nobody reads.");
            await readers[next++](reader);
        });
        if (next != readers.Length) throw new InvalidOperationException($"{readers.Length - next} queued queries returned no rows to read.");
    }

    /// <summary>Sends what is queued and forgets every ticket: something is about to write them without going through here.</summary>
    public async Task SendAndForgetAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await SendAsync(connection, ct);
        _tickets.Clear();
    }

    /// <summary>The ticket columns a log's projection decides by, read from the row at <paramref name="ordinal"/> on.</summary>
    public static StoredTicket Read(NpgsqlDataReader reader, int ordinal) => new(
        reader.IsDBNull(ordinal) ? null : reader.GetFieldValue<BigInteger>(ordinal),
        Sql.NullableString(reader, ordinal + 1),
        LogVersion.Read(reader, ordinal + 2),
        LogVersion.Read(reader, ordinal + 4),
        Sql.NullableString(reader, ordinal + 6));

    /// <summary>The columns <see cref="Read"/> takes, in its order.</summary>
    public const string Columns = "event_id, owner, owner_block, owner_log, purchase_block, purchase_log, holder";
}

/// <summary>A ticket row as its logs decide by; <see cref="Holder"/> is the stored coalesce(owner, buyer).</summary>
internal sealed record StoredTicket(BigInteger? EventId, string? Owner, LogVersion? OwnerVersion, LogVersion? PurchaseVersion, string? Holder);
