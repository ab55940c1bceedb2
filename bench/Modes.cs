namespace Echain.Bench;

/// <summary>
/// How big each phase is. Smoke only proves the harness works; quick is for development; full is the report.
/// ImportLogs: about how many logs of real transactions the import scenario puts on the chain before importing them.
/// ResumeClients, ResumeOutage: how many clients sit on the instance that is killed, and for how long it stays down.
/// Warmup: how long the fresh app is driven (webhooks, reads, connects) before anything is measured.
/// </summary>
public sealed record Mode(
    string Name, int Runs, TimeSpan Phase, double[] IngestRates, double[] EndToEndRates, int Workers, int ReadClients,
    int ReadEvents, int ProjectorBurst, int[] FanoutSizes, int FanoutDeliveriesPerSecond, int FanoutBurstDeliveries,
    int SeedBroadcasts, int SeedClients, TimeSpan PollInterval, TimeSpan FreshnessWindow, int Pollers, bool Profile, bool DrainBetweenIngestPhases,
    int ImportLogs, int ResumeClients, TimeSpan ResumeOutage, TimeSpan Warmup)
{
    public static readonly Mode Smoke = new("smoke", 1, TimeSpan.FromSeconds(1), [20, 50], [20, 50], 8, 8,
        20, 200, [20], 200, 2_000, 200, 2, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(3), 2, false, false, 60, 20, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1));

    public static readonly Mode Quick = new("quick", 1, TimeSpan.FromSeconds(2), [100, 1_000, 3_000], [100, 500, 2_000], 64, 64,
        200, 5_000, [1_000], 20_000, 30_000, 10_000, 10, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8), 4, false, false, 3_000, 500, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(15));

    public static readonly Mode Full = new("full", 3, TimeSpan.FromSeconds(5), [100, 1_000, 3_000], [100, 500, 2_000], 64, 64,
        1_000, 20_000, [1_000, 5_000], 20_000, 100_000, 10_000, 10, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(40), 6, true, true, 15_000, 500, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(30));
}
