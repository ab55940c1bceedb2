namespace Echain.Demo.Emulator;

/// <summary><c>Echain.Demo emulate …</c>: the CDP webhook emulator until Ctrl+C. Exit codes: 0 stopped, 1 failed, 2 bad flags.</summary>
public static class EmulatorCommand
{
    private static readonly TimeSpan ReportEvery = TimeSpan.FromSeconds(10);

    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        if (args is ["--help"] or ["-h"])
        {
            Console.WriteLine(EmulatorArguments.Usage);
            return 0;
        }
        if (!EmulatorArguments.TryParse(args, out var options, out var problems))
        {
            foreach (var problem in problems) Console.Error.WriteLine($"[cdp] {problem}");
            Console.Error.WriteLine(EmulatorArguments.Usage);
            return 2;
        }

        await using var emulator = new CdpEmulator(options!, log: Console.WriteLine);
        using var stopReports = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var reports = ReportAsync(emulator, stopReports.Token);
        try
        {
            await emulator.RunAsync(ct);
            return 0;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            // The checkpoint cannot be read or written: going on elsewhere would skip or repeat blocks silently.
            Console.Error.WriteLine($"[cdp] {e.Message}");
            return 1;
        }
        finally
        {
            await stopReports.CancelAsync();
            await reports;
            Console.WriteLine($"[cdp] stopped at block {emulator.NextBlock}: {emulator.Counts}");
        }
    }

    /// <summary>The counters every ~10 s, when they changed.</summary>
    private static async Task ReportAsync(CdpEmulator emulator, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(ReportEvery);
        var last = emulator.Counts;
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var now = emulator.Counts;
                if (now == last) continue;
                last = now;
                Console.WriteLine($"[cdp] {now} (next block {emulator.NextBlock}, pending {emulator.Pending})");
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The run ended.
        }
    }
}
