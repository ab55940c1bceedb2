using System.Diagnostics;

namespace Echain.LocalServices;

/// <summary>Runs a command-line tool to completion, as the postgres user when asked (initdb and pg_ctl refuse root).</summary>
public static class ExternalTool
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(120);
    // pg_ctl start leaves the server holding the inherited pipes open: after the tool exits, its
    // output is read only this long.
    private static readonly TimeSpan OutputGrace = TimeSpan.FromMilliseconds(500);

    /// <summary>The tool's standard output; throws <see cref="InvalidOperationException"/> when it fails.</summary>
    public static async Task<string> RunAsync(string file, IReadOnlyList<string> args, bool asPostgresUser = false)
    {
        var start = new ProcessStartInfo(asPostgresUser ? "runuser" : file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = "/", // the checkout may be a directory the postgres user cannot enter
        };
        if (asPostgresUser)
            foreach (var a in new[] { "-u", "postgres", "--", file }) start.ArgumentList.Add(a);
        foreach (var a in args) start.ArgumentList.Add(a);

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Limit);
        await process.WaitForExitAsync(timeout.Token);
        var output = await WithinGraceAsync(stdout);
        if (process.ExitCode != 0)
            throw new InvalidOperationException(
                $"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await WithinGraceAsync(stderr)} {output}");
        return output;
    }

    private static async Task<string> WithinGraceAsync(Task<string> read) =>
        await Task.WhenAny(read, Task.Delay(OutputGrace)) == read ? await read : "";
}
