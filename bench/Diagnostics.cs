using System.Globalization;
using Echain.LocalServices;
using Npgsql;
using StackExchange.Redis;

namespace Echain.Bench;

public sealed partial class Bench
{
    /// <summary>Server-side evidence after the run: PostgreSQL statement times and Redis command times.</summary>
    private async Task WhereTheTimeGoesAsync()
    {
        var statements = new List<object>();
        await using (var db = NpgsqlDataSource.Create(_services.Postgres()))
        await using (var cmd = db.CreateCommand(
            "SELECT calls, round(total_exec_time::numeric, 1), round(mean_exec_time::numeric, 3), left(regexp_replace(query, '\\s+', ' ', 'g'), 140) " +
            "FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = 'echain') ORDER BY total_exec_time DESC LIMIT 12"))
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync())
                statements.Add(new { calls = reader.GetInt64(0), totalMs = reader.GetDecimal(1), meanMs = reader.GetDecimal(2), query = reader.GetString(3) });
        _results.Details["postgres: top statements by total time (pg_stat_statements, whole run)"] = statements;

        await using (var db = NpgsqlDataSource.Create(_services.Postgres()))
        await using (var cmd = db.CreateCommand("SELECT wal_records, wal_write, wal_sync, round(wal_write_time::numeric, 1), round(wal_sync_time::numeric, 1) FROM pg_stat_wal"))
        await using (var reader = await cmd.ExecuteReaderAsync())
            if (await reader.ReadAsync())
            {
                var syncs = reader.GetInt64(2);
                var syncMs = reader.GetDecimal(4);
                _results.Details["postgres: WAL (pg_stat_wal, whole run)"] = new
                {
                    walRecords = reader.GetInt64(0), walWrites = reader.GetInt64(1), walSyncs = syncs,
                    walWriteMs = reader.GetDecimal(3), walSyncMs = syncMs, meanSyncMs = syncs == 0 ? 0 : Math.Round(syncMs / syncs, 3),
                };
            }

        await using var redis = await ConnectionMultiplexer.ConnectAsync(_services.Redis + ",allowAdmin=true");
        var info = await redis.GetServer(_services.Redis).InfoAsync("commandstats");
        _results.Details["redis: commands (INFO commandstats, whole run)"] = info.SelectMany(g => g)
            .Select(kv => new { command = kv.Key.Replace("cmdstat_", ""), stats = kv.Value })
            .OrderByDescending(x => ParseUsec(x.stats)).Take(12).ToList();
    }

    private static double ParseUsec(string stats)
    {
        foreach (var part in stats.Split(','))
            if (part.StartsWith("usec=", StringComparison.Ordinal)) return double.Parse(part[5..], CultureInfo.InvariantCulture);
        return 0;
    }
}

/// <summary>perf record of the child for a few seconds, when perf is present (JIT frames via DOTNET_PerfMapEnabled).</summary>
public static class Profiler
{
    public static async Task<object> StartAsync(int pid, TimeSpan duration, string directory)
    {
        if (!File.Exists("/usr/bin/perf")) return "perf not installed";
        var data = Path.Combine(directory, "perf.data");
        try
        {
            await ExternalTool.RunAsync("/usr/bin/perf", ["record", "-F", "499", "-g", "-o", data, "-p", pid.ToString(),
                "--", "sleep", ((int)Math.Max(1, duration.TotalSeconds)).ToString()]);
            var report = await ExternalTool.RunAsync("/usr/bin/perf", ["report", "-i", data, "--stdio", "--no-children",
                "--sort", "dso,symbol", "--percent-limit", "1.5", "-g", "none"]);
            return report.Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')).Take(40).Select(l => l.Trim()).ToList();
        }
        catch (InvalidOperationException e)
        {
            return "perf failed: " + e.Message.Split('\n')[0];
        }
    }
}

/// <summary>The machine and how busy it was: core count, memory, load, and CPU used by others during the run.</summary>
public sealed class MachineInfo
{
    public int Cores { get; } = Environment.ProcessorCount;
    public double MemoryGb { get; } = ReadMemTotalKb() / 1048576.0;
    public string Cpu { get; } = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "unknown";
    public string Os { get; } = System.Runtime.InteropServices.RuntimeInformation.OSDescription;
    public string Runtime { get; } = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;
    public string LoadAtStart { get; } = File.ReadAllText("/proc/loadavg").Trim();
    public string? LoadAtEnd { get; private set; }
    public DateTime StartedUtc { get; } = DateTime.UtcNow;
    public double MachineBusyPercent { get; private set; }
    private readonly (long Busy, long Total) _start = ReadStat();

    public void Finish()
    {
        LoadAtEnd = File.ReadAllText("/proc/loadavg").Trim();
        var end = ReadStat();
        MachineBusyPercent = 100.0 * (end.Busy - _start.Busy) / Math.Max(1, end.Total - _start.Total);
    }

    private static long ReadMemTotalKb() =>
        long.Parse(File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

    private static (long Busy, long Total) ReadStat()
    {
        var parts = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(p => long.Parse(p, CultureInfo.InvariantCulture)).ToArray();
        var idle = parts[3] + parts[4];
        var total = parts.Take(8).Sum();
        return (total - idle, total);
    }
}

/// <summary>CPU used so far by every process of one command (all of PostgreSQL's: postmaster, backends, and the backends it reaped).</summary>
public static class CommandCpu
{
    public static double Ms(string command)
    {
        var ticks = 0L;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out _)) continue;
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue; // exited meanwhile
            }
            var open = stat.IndexOf('(');
            var close = stat.LastIndexOf(')');
            if (open < 0 || close < open || stat[(open + 1)..close] != command) continue;
            // Fields after the name: state is field 3; utime, stime, cutime, cstime are fields 14 to 17.
            var fields = stat[(close + 2)..].Split(' ');
            for (var f = 11; f <= 14; f++) ticks += long.Parse(fields[f], CultureInfo.InvariantCulture);
        }
        return ticks * 1000.0 / 100; // USER_HZ is 100 on Linux
    }

    /// <summary>One process's own CPU time (user + system), in ms.</summary>
    public static double ProcessMs(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 1000.0 / 100;
    }
}


/// <summary>
/// Who had the two cores during a phase: the app, PostgreSQL, Redis and this process (the load generator and its clients),
/// each as a share of all cores, so a tail or a ceiling is read from where the CPU went rather than guessed.
/// </summary>
public sealed record CpuShares(double AppMs, double PostgresMs, double RedisMs, double GeneratorMs, long Ticks)
{
    public static CpuShares Take(int appPid) => new(CommandCpu.ProcessMs(appPid), CommandCpu.Ms("postgres"), CommandCpu.Ms("redis-server"),
        System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime.TotalMilliseconds, System.Diagnostics.Stopwatch.GetTimestamp());

    /// <summary>Per part, the percent of all cores it used between <paramref name="before"/> and this snapshot.</summary>
    public IEnumerable<(string Part, double Percent)> Since(CpuShares before)
    {
        var wallMs = (Ticks - before.Ticks) * 1000.0 / System.Diagnostics.Stopwatch.Frequency * Environment.ProcessorCount;
        yield return ("app", 100 * (AppMs - before.AppMs) / wallMs);
        yield return ("PostgreSQL", 100 * (PostgresMs - before.PostgresMs) / wallMs);
        yield return ("Redis", 100 * (RedisMs - before.RedisMs) / wallMs);
        yield return ("load generator", 100 * (GeneratorMs - before.GeneratorMs) / wallMs);
    }
}
