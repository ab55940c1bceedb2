using Echain.Core.Chain;
using Npgsql;

namespace Echain.Core.Projection;

/// <summary>
/// One log being applied: its transaction's connection, the log, its contract (lowercase) and the effects
/// collected so far. Every handler writes through <see cref="Connection"/>, so all of it commits or none. A log applied in a batch
/// has the batch's <see cref="Tickets"/> (its ticket logs queue their writes there); an undo has none and writes at once.
/// </summary>
internal sealed record ProjectionContext(NpgsqlConnection Connection, ChainEvent Event, string Contract, ProjectionEffects Effects, CancellationToken Ct,
    TicketRows? Tickets = null)
{
    public LogVersion Version => new(Event.BlockNumber, Event.LogIndex);
}
