using System.Runtime.InteropServices;
using Echain.Demo;
using Echain.Demo.Chain;
using Echain.Demo.Emulator;
using Echain.Demo.Feed;

// The local chain's client side, one command per role (./run.sh starts each):
//   deploy   put the contracts on the local node unless they are there; print their addresses
//   emulate  the CDP webhook emulator: the node's logs, delivered to the webhook as CDP subscriptions do
//   feed     the demo's transactions, and a console view of what a connected client receives
//   verify   compare every event, ticket and balance the API shows with the chain
using var cts = new CancellationTokenSource();
// Ctrl-C and SIGTERM (./run.sh stopping, a container) both stop gracefully: the emulator saves its checkpoint.
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal => { signal.Cancel = true; cts.Cancel(); });

try
{
    return args.FirstOrDefault() switch
    {
        "deploy" => await DeployCommand.RunAsync(args[1..], cts.Token),
        "emulate" => await EmulatorCommand.RunAsync(args[1..], cts.Token),
        "feed" => await FeedCommand.RunAsync(args[1..], cts.Token),
        "verify" => await VerifyCommand.RunAsync(args[1..], cts.Token),
        _ => throw new UsageException("usage: Echain.Demo deploy|emulate|feed|verify [flags] (see README)"),
    };
}
catch (UsageException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}
catch (HttpRequestException e)
{
    // The API or the node is not there (not started yet, another port): say which, without a stack trace.
    Console.Error.WriteLine($"cannot reach {e.Message}");
    return 1;
}
