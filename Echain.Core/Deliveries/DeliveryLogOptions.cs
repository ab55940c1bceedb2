using Echain.Core.Processing;

namespace Echain.Core.Deliveries;

/// <summary>Section "Echain:Deliveries": how much of each delivery the log keeps, for how long, and how it buffers.</summary>
public sealed class DeliveryLogOptions
{
    public const string Section = "Echain:Deliveries";

    /// <summary>Bytes of each raw body kept (64 KiB); a longer body is kept cut, marked truncated, and cannot be replayed.</summary>
    public int MaxBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Deliveries held in memory while PostgreSQL is slow or down; beyond it the oldest not yet being written are dropped (counted).</summary>
    public int BufferSize { get; set; } = 10_000;

    /// <summary>Rows older than this many days are deleted.</summary>
    public int RetentionDays { get; set; } = 7;

    /// <summary>How often every instance deletes what is past the retention.</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Deliveries per COPY.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>The first pause after a failed write while PostgreSQL is unavailable (doubling up to <see cref="RetryMax"/>).</summary>
    public TimeSpan RetryInitial { get; set; } = RetryBackoff.Default.Initial;

    public TimeSpan RetryMax { get; set; } = RetryBackoff.Default.Max;

    public RetryBackoff Backoff => new(RetryInitial, RetryMax);

    public bool IsValid(out string? error)
    {
        error = MaxBodyBytes < 0 ? "Echain:Deliveries:MaxBodyBytes must not be negative."
            : BufferSize < 1 ? "Echain:Deliveries:BufferSize must be at least 1."
            : RetentionDays < 1 ? "Echain:Deliveries:RetentionDays must be at least 1."
            : PruneInterval <= TimeSpan.Zero ? "Echain:Deliveries:PruneInterval must be positive."
            : BatchSize < 1 ? "Echain:Deliveries:BatchSize must be at least 1."
            : RetryInitial <= TimeSpan.Zero || RetryMax < RetryInitial ? "Echain:Deliveries:RetryInitial must be positive and RetryMax at least as long."
            : null;
        return error is null;
    }
}
