using Npgsql;

namespace Echain.Core.Projection;

/// <summary>
/// A log's place in the chain, (block, log index): the version every overwrite is guarded by, so logs
/// applied in any order leave the row as the newest log wrote it.
/// </summary>
internal readonly record struct LogVersion(long Block, int Log)
{
    /// <summary>True when nothing is stored yet or this log comes later in the chain.</summary>
    public bool IsNewerThan(LogVersion? stored) =>
        stored is not { } s || Block > s.Block || (Block == s.Block && Log > s.Log);

    /// <summary>The version stored in two adjacent columns (block, then log); null while never written.</summary>
    public static LogVersion? Read(NpgsqlDataReader reader, int blockOrdinal) =>
        reader.IsDBNull(blockOrdinal) ? null : new LogVersion(reader.GetInt64(blockOrdinal), reader.GetInt32(blockOrdinal + 1));
}
