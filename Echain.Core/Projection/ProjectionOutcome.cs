using Echain.Core.Chain;
using Echain.Core.Realtime;

namespace Echain.Core.Projection;

/// <summary>
/// What applying one log decided. <see cref="CacheResources"/> are unprefixed cache resource names
/// (see <see cref="Echain.Core.Reads.CacheResources"/>); <see cref="Messages"/> are the realtime messages
/// still owed for this log (empty once delivered, so a redelivery emits nothing new).
/// </summary>
public sealed record ProjectionOutcome(
    LogKey Key,
    ProjectionStatus Status,
    IReadOnlyList<string> CacheResources,
    IReadOnlyList<RealtimeMessage> Messages,
    string? Reason = null);

public enum ProjectionStatus
{
    /// <summary>First time: rows changed and committed together with the applied-log record.</summary>
    Applied,
    /// <summary>Already recorded; nothing changed. Messages are non-empty only if an earlier attempt committed but never delivered them.</summary>
    AlreadyApplied,
    /// <summary>Not ours (unconfigured contract, unknown event): acknowledged and counted, nothing stored.</summary>
    Ignored,
    /// <summary>
    /// A removal undid the applied copy it names: rows recomputed from what remains, the applied record moved to
    /// rolled_back_logs, and the corrections (cache resources, messages) are owed like an application's.
    /// </summary>
    RolledBack,
}

public static class ProjectionOutcomes
{
    /// <summary>The status as metrics, spans and log lines spell it: applied, already-applied, rolled-back, ignored.</summary>
    public static string Tag(ProjectionStatus status) => status switch
    {
        ProjectionStatus.Applied => "applied",
        ProjectionStatus.AlreadyApplied => "already-applied",
        ProjectionStatus.RolledBack => "rolled-back",
        ProjectionStatus.Ignored => "ignored",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}
