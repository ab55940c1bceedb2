using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Echain.Core.Chain.Rpc;
using Echain.LocalServices;
using Echain.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Echain.Tests.Chain;

/// <summary>
/// The RPC client against a real anvil, a closed port and a node that accepts connections but never answers:
/// the order of failover, the per-call timeout, and that neither errors nor logs carry a URL's secrets.
/// </summary>
public sealed class FailoverChainRpcTests(AnvilServer anvil) : IClassFixture<AnvilServer>
{
    private static readonly TimeSpan ShortTimeout = TimeSpan.FromMilliseconds(400);

    [Fact]
    public async Task The_node_answers_its_chain_id_and_a_head_that_grows_with_each_transaction()
    {
        using var rpc = Client(new RecordingLogger(), anvil.RpcUrl.ToString());
        var chainId = await rpc.ChainIdAsync(CancellationToken.None);
        var before = await rpc.HeadAsync(CancellationToken.None);

        await anvil.DeployAsync(); // anvil mines one block per transaction: two contracts, two blocks at least

        var after = await rpc.HeadAsync(CancellationToken.None);
        Assert.Equal(AnvilOptions.ChainId, chainId.Value);
        Assert.True(after.Value >= before.Value + 2, $"head {before.Value} → {after.Value}");
        Assert.Equal(0, after.Endpoint.Index);
        Assert.True(after.Latency > TimeSpan.Zero && after.Latency < ShortTimeout, $"latency {after.Latency}");
    }

    [Fact]
    public async Task A_refused_first_node_fails_over_to_the_next_and_is_asked_last_while_paused()
    {
        var log = new RecordingLogger();
        using var rpc = Client(log, $"http://127.0.0.1:{LoopbackPort.Free()}", anvil.RpcUrl.ToString());

        var first = await rpc.HeadAsync(CancellationToken.None);
        var second = await rpc.ChainIdAsync(CancellationToken.None);

        Assert.Equal((1, 1), (first.Endpoint.Index, second.Endpoint.Index));
        Assert.Equal(AnvilOptions.ChainId, second.Value);
        // Only the first call tried the dead node; the second went straight to the live one.
        Assert.Single(log.Warnings);
        Assert.Contains("RPC node 0 (http://127.0.0.1:", log.Warnings[0]);
        Assert.Contains("eth_blockNumber", log.Warnings[0]);
    }

    [Fact]
    public async Task A_node_that_never_answers_is_abandoned_after_the_timeout()
    {
        using var silent = new SilentNode();
        var log = new RecordingLogger();
        using var rpc = Client(log, silent.Url, anvil.RpcUrl.ToString());

        var started = Stopwatch.StartNew();
        var head = await rpc.HeadAsync(CancellationToken.None);
        var failedOver = started.Elapsed;
        var again = await rpc.HeadAsync(CancellationToken.None);

        Assert.Equal((1, 1), (head.Endpoint.Index, again.Endpoint.Index));
        Assert.InRange(failedOver, ShortTimeout * 0.9, ShortTimeout * 5);
        // One connection: the second call did not ask the paused node (each request to it would open a new one).
        Assert.Equal(1, silent.Accepted);
        Assert.Contains("timeout", Assert.Single(log.Warnings));
    }

    [Fact]
    public async Task When_no_node_answers_the_error_and_the_logs_name_nodes_without_their_secrets()
    {
        var log = new RecordingLogger();
        using var rpc = Client(log, "http://user:secret@127.0.0.1:1/key123", $"https://127.0.0.1:{LoopbackPort.Free()}/v2/key456?apikey=key789");

        var error = await Assert.ThrowsAsync<ChainRpcUnavailableException>(() => rpc.HeadAsync(CancellationToken.None));

        Assert.StartsWith("eth_blockNumber: no node answered: http://127.0.0.1:1 (unreachable", error.Message);
        Assert.Equal(2, log.Warnings.Count);
        foreach (var text in log.Warnings.Append(error.Message))
            foreach (var secret in new[] { "user", "secret", "key123", "key456", "key789", "/v2" })
                Assert.DoesNotContain(secret, text);
    }

    [Fact]
    public async Task A_reverted_eth_call_is_the_nodes_answer_not_its_failure()
    {
        var wallet = await TestWallets.DeployAsync(await anvil.NewAccountAsync(), "RevertingWallet");
        var log = new RecordingLogger();
        using var rpc = Client(log, anvil.RpcUrl.ToString(), $"http://127.0.0.1:{LoopbackPort.Free()}");

        var answer = await rpc.CallAsync(wallet, IsValidSignatureCall, CancellationToken.None);

        Assert.Equal((true, 0, 0), (answer.Value.Reverted, answer.Value.Output.Length, answer.Endpoint.Index));
        Assert.Empty(log.Warnings); // the second node was not asked, and the first is not paused
    }

    [Theory]
    [InlineData("fe")]       // INVALID
    [InlineData("5b600056")] // JUMPDEST PUSH1 0 JUMP: loops until out of gas
    public async Task An_eth_call_that_halts_is_the_nodes_answer_too(string creationCode)
    {
        var log = new RecordingLogger();
        using var rpc = new FailoverChainRpc(Options.Create(new ChainOptions { RpcUrls = [anvil.RpcUrl.ToString()] }), TimeProvider.System, log);

        var answer = await rpc.CallAsync(null, Convert.FromHexString(creationCode), CancellationToken.None);

        Assert.True(answer.Value.Reverted);
        Assert.Empty(log.Warnings);
    }

    [Fact]
    public async Task Eth_call_and_eth_getCode_fail_over_from_a_refused_node()
    {
        var wallet = await TestWallets.DeployAsync(await anvil.NewAccountAsync(), "WrongMagicWallet");
        var log = new RecordingLogger();
        using var rpc = Client(log, $"http://127.0.0.1:{LoopbackPort.Free()}", anvil.RpcUrl.ToString());

        var code = await rpc.GetCodeAsync(wallet, CancellationToken.None);
        var call = await rpc.CallAsync(wallet, IsValidSignatureCall, CancellationToken.None);
        var none = await rpc.GetCodeAsync("0x" + new string('7', 40), CancellationToken.None);

        Assert.Equal((1, 1), (code.Endpoint.Index, call.Endpoint.Index));
        Assert.Equal(await anvil.Reader().Eth.GetCode.SendRequestAsync(wallet), "0x" + Convert.ToHexStringLower(code.Value));
        Assert.NotEmpty(code.Value);
        Assert.Equal("1626ba7f" + new string('0', 56), Convert.ToHexStringLower(call.Value.Output));
        Assert.False(call.Value.Reverted);
        Assert.Empty(none.Value);
        Assert.Contains("eth_getCode", Assert.Single(log.Warnings));
    }

    /// <summary>isValidSignature(bytes32 0, bytes "")</summary>
    private static readonly byte[] IsValidSignatureCall = Convert.FromHexString("1626ba7e" + new string('0', 64) + "40".PadLeft(64, '0') + new string('0', 64));

    [Fact]
    public async Task Without_a_configured_node_every_call_says_so()
    {
        using var rpc = Client(new RecordingLogger());
        var error = await Assert.ThrowsAsync<ChainRpcUnavailableException>(() => rpc.ChainIdAsync(CancellationToken.None));
        Assert.Equal("eth_chainId: no node is configured (Echain:Chain:RpcUrls).", error.Message);
    }

    [Fact]
    public async Task Credentials_in_the_userinfo_do_not_stop_a_node_that_ignores_them()
    {
        var url = new UriBuilder(anvil.RpcUrl) { UserName = "user", Password = "secret" }.Uri.ToString();
        using var rpc = Client(new RecordingLogger(), url);
        var chainId = await rpc.ChainIdAsync(CancellationToken.None);
        Assert.Equal((AnvilOptions.ChainId, $"http://127.0.0.1:{anvil.RpcUrl.Port}"), (chainId.Value, chainId.Endpoint.Display));
    }

    private static FailoverChainRpc Client(RecordingLogger log, params string[] urls) =>
        new(Options.Create(new ChainOptions { RpcUrls = [.. urls], RpcTimeout = ShortTimeout }), TimeProvider.System, log);

    /// <summary>Accepts TCP connections and never writes a byte: a hung node, not a refused one.</summary>
    private sealed class SilentNode : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<Socket> _held = [];
        private int _accepted;

        public SilentNode()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public string Url => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";
        public int Accepted => Volatile.Read(ref _accepted);

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    var socket = await _listener.AcceptSocketAsync();
                    lock (_held) _held.Add(socket);
                    Interlocked.Increment(ref _accepted);
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // The listener was stopped by Dispose.
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            lock (_held) _held.ForEach(s => s.Dispose());
        }
    }

    /// <summary>Keeps the formatted warnings, to check what an operator would read.</summary>
    private sealed class RecordingLogger : ILogger<FailoverChainRpc>
    {
        private readonly List<string> _warnings = [];

        public IReadOnlyList<string> Warnings
        {
            get { lock (_warnings) return _warnings.ToArray(); }
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            Assert.Null(exception); // an exception's text may carry the URL: the client must not hand it to the logger
            if (logLevel == LogLevel.Warning) lock (_warnings) _warnings.Add(formatter(state, exception));
        }
    }
}
