using System.Diagnostics;

namespace Echain.LocalServices;

/// <summary>The start-up wait and the crash-like stop that the Redis and anvil launchers share.</summary>
internal static class ServerProcess
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Polls <paramref name="answers"/> until it holds (true), the process exits or <paramref name="limit"/>
    /// passes (false; the caller tells which from <see cref="Process.HasExited"/> and reports it with its log).
    /// </summary>
    public static bool WaitUntilAnswering(Process process, Func<bool> answers, TimeSpan limit)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < limit)
        {
            if (process.HasExited)
                return false;
            if (answers())
                return true;
            Thread.Sleep(Poll);
        }
        return false;
    }

    /// <summary>Kills the process tree, like a crash, and forgets it.</summary>
    public static void Kill(ref Process? process)
    {
        if (process is null)
            return;
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }
        process.Dispose();
        process = null;
    }
}
