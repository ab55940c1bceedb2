using System.Diagnostics;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Echain.LocalServices;

/// <summary>What a caller chooses about its node; the rest (loopback only, chain id 84532) is fixed.</summary>
public sealed record AnvilOptions
{
    /// <summary>Base Sepolia's id: the same code paths as production.</summary>
    public const long ChainId = 84532;

    /// <summary>Seconds between blocks (./run.sh: 1, so block times are the clock); null mines one block per transaction.</summary>
    public int? BlockTime { get; init; }

    /// <summary>Where anvil keeps its state across restarts (--state); null: memory only.</summary>
    public string? StateFile { get; init; }
}

/// <summary>
/// A private anvil (Foundry's local EVM node, from the npm package in contracts/) on a free loopback
/// port. Stop()/Start() restart it on the same port; without a state file its chain starts over.
/// </summary>
public sealed class AnvilInstance : IDisposable
{
    private const int StartAttempts = 5;
    private static readonly TimeSpan StartLimit = TimeSpan.FromSeconds(20);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    private readonly AnvilOptions _options;
    private readonly string _binary = FindBinary();
    private Process? _process;
    private string _stderr = "";

    public AnvilInstance(AnvilOptions? options = null)
    {
        _options = options ?? new AnvilOptions();
        Port = LoopbackPort.StartOnFree<AnvilStartException>(StartAttempts, port =>
        {
            Port = port;
            Start();
        });
    }

    public int Port { get; private set; }

    public Uri RpcUrl => new($"http://127.0.0.1:{Port}");

    /// <summary>Starts the node on its port unless it runs; returns once it answers eth_chainId.</summary>
    public void Start()
    {
        if (_process is { HasExited: false })
            return;
        var info = new ProcessStartInfo(_binary) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in Arguments(Port, _options))
            info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {_binary}.");
        _process = process;
        _stderr = "";
        process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) _stderr += line + "\n"; };
        process.OutputDataReceived += (_, _) => { }; // --silent prints little; drain it so the pipe never fills
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();

        if (ServerProcess.WaitUntilAnswering(process, AnswersChainId, StartLimit))
            return;
        if (process.HasExited)
            throw new AnvilStartException($"anvil exited with {process.ExitCode} on port {Port}: {_stderr}");
        Stop();
        throw new AnvilStartException($"anvil did not answer on port {Port} within {StartLimit.TotalSeconds} s: {_stderr}");
    }

    /// <summary>Kills the node, like a crash.</summary>
    public void Stop() => ServerProcess.Kill(ref _process);

    public void Dispose() => Stop();

    /// <summary>The command line ./run.sh and the tests share (scripts/services.sh mirrors it).</summary>
    public static IReadOnlyList<string> Arguments(int port, AnvilOptions options)
    {
        var args = new List<string>
        {
            "--host", "127.0.0.1", "--port", port.ToString(), "--chain-id", AnvilOptions.ChainId.ToString(), "--silent",
        };
        if (options.BlockTime is { } seconds)
            args.AddRange(["--block-time", seconds.ToString()]);
        if (options.StateFile is { } state)
            args.AddRange(["--state", state]);
        return args;
    }

    /// <summary>ANVIL when set, else the binary of the pinned npm package under contracts/node_modules.</summary>
    public static string FindBinary()
    {
        if (Environment.GetEnvironmentVariable("ANVIL") is { Length: > 0 } configured)
            return configured;
        var platform = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "linux-arm64" : "linux-amd64";
        var relative = Path.Combine("contracts", "node_modules", "@foundry-rs", $"anvil-{platform}", "bin", "anvil");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new InvalidOperationException(
            $"anvil not found (looked at ANVIL and {relative} above {AppContext.BaseDirectory}). " +
            "Install it: (cd contracts && npm ci --ignore-scripts); the build does this too.");
    }

    private bool AnswersChainId()
    {
        try
        {
            using var response = Http.PostAsJsonAsync(RpcUrl, new { jsonrpc = "2.0", id = 1, method = "eth_chainId", @params = Array.Empty<object>() })
                .GetAwaiter().GetResult();
            if (!response.IsSuccessStatusCode)
                return false;
            using var body = JsonDocument.Parse(response.Content.ReadAsStream());
            return body.RootElement.TryGetProperty("result", out _);
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
        catch (TaskCanceledException)
        {
            return false; // listening but not answering yet
        }
    }

    private sealed class AnvilStartException(string message) : Exception(message);
}
