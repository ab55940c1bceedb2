using Echain.Core.Chain;
using Npgsql;

namespace Echain.Core.Projection;

/// <summary>
/// One log being applied: its transaction's connection, the log, its contract (lowercase) and the effects
/// collected so far. Every handler writes through <see cref="Connection"/>, so all of it commits or none.
/// </summary>
internal sealed record ProjectionContext(NpgsqlConnection Connection, ChainEvent Event, string Contract, ProjectionEffects Effects, CancellationToken Ct)
{
    public LogVersion Version => new(Event.BlockNumber, Event.LogIndex);
}
