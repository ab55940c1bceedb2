using System.Diagnostics;
using Echain.Tests.FunctionsHost;

namespace Echain.Tests.Scripts;

/// <summary>What a script printed and how it exited.</summary>
public sealed record ScriptResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";
}

/// <summary>Runs the repository's bash scripts as a user would: from the repository root, with bash.</summary>
public static class ShellScript
{
    /// <summary>Runs <paramref name="script"/> (relative to the repository root) to its end, or kills it at the deadline.</summary>
    public static async Task<ScriptResult> RunAsync(string script, IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null, int seconds = 60)
    {
        using var process = Start(script, arguments, environment);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"{script} {string.Join(' ', arguments)} did not finish within {seconds} s:\n{await stdout}\n{await stderr}");
        }
        return new ScriptResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts <paramref name="script"/>; given <paramref name="logFile"/>, its output (and its children's) goes there.</summary>
    public static Process Start(string script, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment,
        string? logFile = null)
    {
        var info = new ProcessStartInfo("bash")
        {
            WorkingDirectory = RepositoryFiles.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        if (logFile is not null)
        {
            // bash writes the log itself, so the test never has to drain a pipe a long-running script fills.
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add("exec \"$@\" >\"$0\" 2>&1 </dev/null");
            info.ArgumentList.Add(logFile);
            info.ArgumentList.Add("bash");
        }
        info.ArgumentList.Add(Path.Combine(RepositoryFiles.Root, script));
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        // The script's own defaults must apply, not settings of the test run's environment.
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("Echain__", StringComparison.Ordinal)
                     || k.StartsWith("Coinbase__", StringComparison.Ordinal) || k.StartsWith("ConnectionStrings__", StringComparison.Ordinal)
                     || k.StartsWith("ECHAIN_", StringComparison.Ordinal)).ToList())
            info.Environment.Remove(key);
        foreach (var (key, value) in environment ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException($"bash {script} did not start");
        process.StandardInput.Close();
        return process;
    }
}
