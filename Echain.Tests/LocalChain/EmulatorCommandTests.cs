using Echain.Demo.Emulator;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.LocalChain;

/// <summary><c>emulate</c> on the command line: bad flags are refused with exit code 2, good ones run until cancelled.</summary>
[Collection(ConsoleOutput.Name)]
public sealed class EmulatorCommandTests(AnvilServer anvil) : IClassFixture<AnvilServer>
{
    private const string Contract = "0x5fbdb2315678afecb367f032d93f642f64180aa3";

    [Theory]
    [InlineData("--subscription contract=" + Contract + ",secret=s", "--webhook is required")]
    [InlineData("--webhook http://127.0.0.1:9/", "at least one --subscription is required")]
    [InlineData("--webhook not-a-url --subscription contract=" + Contract + ",secret=s", "--webhook: 'not-a-url' is not an absolute URL")]
    [InlineData("--webhook http://127.0.0.1:9/ --subscription contract=0x12,secret=s", "the subscription contract '0x12' is not a 0x-prefixed 20-byte address")]
    [InlineData("--webhook http://127.0.0.1:9/ --subscription contract=" + Contract, "--subscription: secret= is required")]
    [InlineData("--webhook http://127.0.0.1:9/ --subscription contract=" + Contract + ",secret=s --drop-rate 2", "the drop rate must be between 0 and 1")]
    [InlineData("--webhook http://127.0.0.1:9/ --subscription contract=" + Contract + ",secret=s --shuffle-window x", "--shuffle-window: 'x' is not a whole number")]
    [InlineData("--webhook http://127.0.0.1:9/ --subscription contract=" + Contract + ",secret=s --retry-base-ms", "--retry-base-ms needs a value")]
    [InlineData("--webhook http://127.0.0.1:9/ --subscription contract=" + Contract + ",secret=s --colour red", "unknown flag --colour")]
    public async Task Bad_flags_are_refused_with_the_reason_and_exit_code_2(string commandLine, string reason)
    {
        var (exitCode, _, errors) = await ConsoleOutput.CaptureAsync(() =>
            EmulatorCommand.RunAsync(commandLine.Split(' '), CancellationToken.None));
        Assert.Equal(2, exitCode);
        Assert.Contains($"[cdp] {reason}", errors);
    }

    [Fact]
    public async Task A_bad_subscription_label_is_named_by_its_key_and_the_secret_is_never_printed()
    {
        var (exitCode, _, errors) = await ConsoleOutput.CaptureAsync(() => EmulatorCommand.RunAsync(
            ["--webhook", "http://127.0.0.1:9/", "--subscription", $"contract={Contract},secret=hunter2-secret,evnt=X"], CancellationToken.None));
        Assert.Equal(2, exitCode);
        Assert.Contains("unknown label 'evnt'", errors);
        Assert.DoesNotContain("hunter2", errors);
    }

    [Fact]
    public async Task A_checkpoint_that_is_not_a_block_number_stops_the_start_with_exit_code_1()
    {
        var checkpoint = Path.Combine(Path.GetTempPath(), $"echain-cdp-{Guid.NewGuid():N}.checkpoint");
        await File.WriteAllTextAsync(checkpoint, "twelve");
        try
        {
            var (exitCode, _, errors) = await ConsoleOutput.CaptureAsync(() => EmulatorCommand.RunAsync(
                ["--rpc", anvil.RpcUrl.ToString(), "--webhook", "http://127.0.0.1:9/", "--checkpoint", checkpoint,
                 "--subscription", $"contract={Contract},secret=s"], CancellationToken.None));
            Assert.Equal(1, exitCode);
            Assert.Contains($"[cdp] The checkpoint {checkpoint} does not hold a block number.", errors);
        }
        finally
        {
            File.Delete(checkpoint);
        }
    }

    [Fact]
    public async Task The_command_delivers_from_the_block_given_until_cancelled_and_keeps_its_checkpoint()
    {
        var scenario = await PurchaseScenario.ReadyAsync(anvil);
        await using var capture = await WebhookCapture.StartAsync();
        var checkpoint = Path.Combine(Path.GetTempPath(), $"echain-cdp-{Guid.NewGuid():N}.checkpoint");
        var (receipt, _) = await scenario.Buyer.PurchaseAsync(scenario.EventId, "GA");
        using var stop = new CancellationTokenSource();
        string[] args =
        [
            "--rpc", anvil.RpcUrl.ToString(), "--webhook", capture.Url + "?code=webhook-key", "--network", "base-sepolia",
            "--subscription", $"contract={scenario.Deployment.TicketContract},event=TicketPurchased,secret=cli-secret-value",
            "--subscription", $"contract={scenario.Deployment.PaymentToken},secret=cli-secret-value",
            "--from-block", receipt.BlockNumber.Value.ToString(), "--checkpoint", checkpoint,
            "--seed", "3", "--duplicate-rate", "0", "--drop-rate", "0", "--shuffle-window", "2", "--retry-base-ms", "100",
        ];
        try
        {
            var (exitCode, output, _) = await ConsoleOutput.CaptureAsync(async () =>
            {
                var run = EmulatorCommand.RunAsync(args, stop.Token);
                await capture.WaitForAsync(2);
                await Eventually.TrueAsync(() => File.Exists(checkpoint), "the checkpoint to be written");
                await stop.CancelAsync();
                return await run;
            });

            Assert.Equal(0, exitCode);
            Assert.Equal(["TicketPurchased", "Transfer"], capture.Requests.Select(r => r.Json.GetProperty("event_name").GetString()).Order());
            Assert.All(capture.Requests, r => Assert.True(r.SignedWith("cli-secret-value")));
            Assert.True(long.Parse(await File.ReadAllTextAsync(checkpoint)) > (long)receipt.BlockNumber.Value);
            Assert.Contains($"[cdp] following http://127.0.0.1:{anvil.RpcUrl.Port} from block {receipt.BlockNumber.Value} (the first block asked for)", output);
            Assert.Contains($"delivering to http://127.0.0.1:{capture.Url.Port}/api/webhooks/coinbase", output);
            Assert.DoesNotContain("webhook-key", output);
            Assert.Contains("[cdp] stopped at block", output);
            Assert.DoesNotContain("cli-secret-value", output);
        }
        finally
        {
            File.Delete(checkpoint);
        }
    }
}

/// <summary>Console.Out and Console.Error are process-wide: the classes that replace them run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleOutput
{
    public const string Name = "console output";

    public static async Task<(T Result, string Output, string Errors)> CaptureAsync<T>(Func<Task<T>> action)
    {
        var (output, errors) = (Console.Out, Console.Error);
        using var capturedOutput = new StringWriter();
        using var capturedErrors = new StringWriter();
        Console.SetOut(TextWriter.Synchronized(capturedOutput));
        Console.SetError(TextWriter.Synchronized(capturedErrors));
        try
        {
            var result = await action();
            return (result, capturedOutput.ToString(), capturedErrors.ToString());
        }
        finally
        {
            Console.SetOut(output);
            Console.SetError(errors);
        }
    }
}
