using Echain.Tests.FunctionsHost;

namespace Echain.Tests.Scripts;

/// <summary>run.sh's log handling (scripts/app-log.sh) alone: appended across starts, rotated at start once too big.</summary>
public sealed class AppLogRotationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("echain-log-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_small_log_is_appended_to_with_one_start_marker_per_run()
    {
        var log = Path.Combine(_dir, "echain.log");
        await File.WriteAllTextAsync(log, "the previous run's last line\n");

        await OpenAsync(log, maxBytes: 1_000_000);
        await OpenAsync(log, maxBytes: 1_000_000);

        var lines = await File.ReadAllLinesAsync(log);
        Assert.Equal("the previous run's last line", lines[0]);
        Assert.Equal(2, lines.Count(l => l.StartsWith("==== Echain started ", StringComparison.Ordinal)));
        Assert.False(File.Exists(log + ".1"));
    }

    [Fact]
    public async Task A_log_over_the_limit_is_rotated_keeping_three()
    {
        var log = Path.Combine(_dir, "echain.log");
        for (var run = 1; run <= 5; run++)
        {
            await OpenAsync(log, maxBytes: 10);
            await File.AppendAllTextAsync(log, $"run {run} wrote more than ten bytes\n");
        }

        Assert.Contains("run 5", await File.ReadAllTextAsync(log));
        Assert.Contains("run 4", await File.ReadAllTextAsync(log + ".1"));
        Assert.Contains("run 3", await File.ReadAllTextAsync(log + ".2"));
        Assert.Contains("run 2", await File.ReadAllTextAsync(log + ".3"));
        Assert.False(File.Exists(log + ".4"));
    }

    private async Task OpenAsync(string log, int maxBytes)
    {
        var script = Path.Combine(_dir, "open.sh");
        await File.WriteAllTextAsync(script,
            $"source '{Path.Combine(RepositoryFiles.Root, "scripts", "app-log.sh")}'\nECHAIN_LOG_ROTATE_BYTES={maxBytes} open_app_log '{log}' Echain\n");
        var result = await ShellScript.RunAsync(script, []);
        Assert.True(result.ExitCode == 0, result.ToString());
    }
}
