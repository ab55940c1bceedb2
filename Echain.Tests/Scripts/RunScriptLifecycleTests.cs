using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;
using Echain.LocalServices;

namespace Echain.Tests.Scripts;

/// <summary>
/// <c>./run.sh --no-demo</c> for real, once: PostgreSQL, Redis, anvil, the app and the emulator on free ports with
/// their data in a temporary directory and the built binaries (ECHAIN_NO_BUILD=1; the suite runs after the build).
/// <c>./run.sh status</c> from a second process lists each part up with its port; <c>./run.sh stop</c> stops them
/// all: every port closed, every recorded pid gone, the first run.sh ends by itself, and status says down.
/// </summary>
[SupportedOSPlatform("linux")] // run.sh is a Debian script; /proc is read below
public sealed partial class RunScriptLifecycleTests
{
    private static readonly string[] ServiceParts = ["app", "postgres", "redis", "anvil", "emulator"];

    [Fact]
    public async Task Run_status_and_stop_from_a_second_terminal_stop_everything_run_started()
    {
        // World-traversable like any checkout: as root, run.sh gives the cluster to the postgres user, and when
        // that user could not enter the data directory's parent (a 700 temp dir), services.sh would keep the
        // cluster under /var/lib/echain instead, outside what this test deletes.
        var root = Path.Combine(Path.GetTempPath(), $"echain-run-{Guid.NewGuid():N}");
        Directory.CreateDirectory(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var data = Path.Combine(root, "data");
        var ports = new Dictionary<string, int>();
        foreach (var part in new[] { "app", "postgres", "redis", "anvil" })
        {
            int port;
            do port = LoopbackPort.Free(); while (ports.ContainsValue(port));
            ports[part] = port;
        }
        var url = $"http://127.0.0.1:{ports["app"]}";
        var environment = new Dictionary<string, string>
        {
            ["ECHAIN_DATA_DIR"] = data,
            ["ECHAIN_PG_PORT"] = ports["postgres"].ToString(CultureInfo.InvariantCulture),
            ["ECHAIN_REDIS_PORT"] = ports["redis"].ToString(CultureInfo.InvariantCulture),
            ["ECHAIN_CHAIN_PORT"] = ports["anvil"].ToString(CultureInfo.InvariantCulture),
            ["ECHAIN_URL"] = url,
            ["ECHAIN_NO_BUILD"] = "1",
        };
        var log = Path.Combine(root, "run.log");
        using var first = ShellScript.Start("run.sh", ["--no-demo"], environment, log);
        try
        {
            await UntilHealthyAsync(first, url, log);
            var status = await UntilAllUpAsync(environment, log);
            foreach (var (part, port) in ports)
                Assert.True(status[part].Port == port.ToString(CultureInfo.InvariantCulture), $"{part}: {status[part]}");
            Assert.Equal("down", status["demo"].State);
            Assert.False(new FileInfo(Path.Combine(data, "postgres")).LinkTarget is not null, "the cluster left the data directory");

            var recorded = ServiceParts.ToDictionary(p => p, p => RecordedPid(data, p));
            foreach (var part in ServiceParts)
                Assert.True(status[part].Pid == recorded[part].ToString(CultureInfo.InvariantCulture), $"{part}: {status[part]}");

            var stop = await ShellScript.RunAsync("run.sh", ["stop"], environment, seconds: 90);
            Assert.True(stop.ExitCode == 0, stop.ToString());

            foreach (var (part, port) in ports)
                Assert.False(PortAnswers(port), $"{part}'s port {port} still answers after ./run.sh stop");
            foreach (var (part, pid) in recorded)
                Assert.False(ProcessRuns(pid), $"{part} (pid {pid}) still runs after ./run.sh stop");
            Assert.Empty(Directory.GetFiles(Path.Combine(data, "run")));
            // The first terminal's run.sh ends once its app is gone.
            using (var ended = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
                await first.WaitForExitAsync(ended.Token);

            var after = ParseStatus(await StatusAsync(environment));
            foreach (var part in ServiceParts.Append("demo"))
                Assert.True(after[part].State == "down", $"{part}: {after[part]}");
        }
        finally
        {
            // Whatever failed above: nothing this test started may outlive it (stop is idempotent).
            await ShellScript.RunAsync("run.sh", ["stop"], environment, seconds: 90);
            if (!first.HasExited) first.Kill(entireProcessTree: true);
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>What run.sh printed so far; bash creates the file a moment after the process starts.</summary>
    private static string LogText(string log) => File.Exists(log) ? File.ReadAllText(log) : "(run.sh has printed nothing yet)";

    private sealed record PartStatus(string State, string Pid, string Port);

    private static async Task UntilHealthyAsync(Process first, string url, string log)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            // (The message only once it failed: right after the start bash may not have created the log yet.)
            if (first.HasExited) throw new Xunit.Sdk.XunitException($"run.sh exited with {first.ExitCode}:\n{LogText(log)}");
            try
            {
                using var health = await http.GetAsync($"{url}/api/health");
                if (health.IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening, not answering yet.
            }
            if (deadline.Elapsed > TimeSpan.FromMinutes(4))
                throw new Xunit.Sdk.XunitException($"the app was not healthy after 4 minutes:\n{LogText(log)}");
            await Task.Delay(250);
        }
    }

    /// <summary>The emulator starts a moment after the app is healthy: status until every service part is up.</summary>
    private static async Task<Dictionary<string, PartStatus>> UntilAllUpAsync(Dictionary<string, string> environment, string log)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var text = await StatusAsync(environment);
            var status = ParseStatus(text);
            if (ServiceParts.All(p => status[p].State == "up")) return status;
            if (deadline.Elapsed > TimeSpan.FromSeconds(60))
                throw new Xunit.Sdk.XunitException($"not every part is up after 60 s:\n{text}\n{LogText(log)}");
            await Task.Delay(250);
        }
    }

    private static async Task<string> StatusAsync(Dictionary<string, string> environment)
    {
        var result = await ShellScript.RunAsync("run.sh", ["status"], environment);
        Assert.True(result.ExitCode == 0, result.ToString());
        return result.Stdout;
    }

    private static Dictionary<string, PartStatus> ParseStatus(string text)
    {
        var status = text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => StatusLine().Match(l))
            .Where(m => m.Success)
            .ToDictionary(m => m.Groups[1].Value, m => new PartStatus(m.Groups[2].Value, m.Groups[3].Value, m.Groups[4].Value));
        Assert.True(ServiceParts.Append("demo").All(status.ContainsKey), text);
        return status;
    }

    [GeneratedRegex(@"^(\w+)\s+(up|down|starting)\s+pid (\S+)\s+port (\S+)")]
    private static partial Regex StatusLine();

    private static int RecordedPid(string data, string part)
    {
        var line = File.ReadAllLines(Path.Combine(data, "run", part)).Single(l => l.StartsWith("pid=", StringComparison.Ordinal));
        return int.Parse(line[4..], CultureInfo.InvariantCulture);
    }

    /// <summary>Alive and not a zombie: a stopped child whose parent already exited may wait to be reaped by init.</summary>
    private static bool ProcessRuns(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        if (!File.Exists(stat)) return false;
        var text = File.ReadAllText(stat);
        return text[(text.LastIndexOf(')') + 2)] != 'Z';
    }

    private static bool PortAnswers(int port)
    {
        using var client = new TcpClient();
        try
        {
            client.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
