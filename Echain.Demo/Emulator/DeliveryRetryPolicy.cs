namespace Echain.Demo.Emulator;

/// <summary>
/// How a delivery is retried, as CDP (Hook0) does: any non-2xx answer or no answer within
/// <see cref="RequestTimeout"/> fails the attempt; the next waits <see cref="BaseDelay"/> doubled per
/// failure, capped at <see cref="MaxDelay"/>; after <see cref="MaxAttempts"/> attempts it is given up.
/// </summary>
public sealed record DeliveryRetryPolicy
{
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    public int MaxAttempts { get; init; } = 60;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>The wait after failed attempt number <paramref name="attempt"/> (1-based).</summary>
    public TimeSpan DelayAfter(int attempt)
    {
        // Doubling past a large cap could overflow TimeSpan: never double beyond it.
        var delay = BaseDelay;
        for (var n = 1; n < attempt && delay < MaxDelay; n++)
            delay = delay <= MaxDelay / 2 ? delay * 2 : MaxDelay;
        return delay < MaxDelay ? delay : MaxDelay;
    }

    public IEnumerable<string> Problems()
    {
        if (BaseDelay <= TimeSpan.Zero) yield return "the retry base delay must be positive";
        if (MaxDelay < BaseDelay) yield return "the retry cap must not be below the base delay";
        if (MaxAttempts < 1) yield return "at least one delivery attempt is needed";
        if (RequestTimeout <= TimeSpan.Zero) yield return "the request timeout must be positive";
    }
}
