using Echain.Demo;
using Echain.Demo.Chain;
using Echain.Demo.Feed;

// The local chain's client side, one command per role (./run.sh starts each):
//   deploy   put the contracts on the local node unless they are there; print their addresses
//   feed     the demo's transactions, and a console view of what a connected client receives
//   verify   compare every event, ticket and balance the API shows with the chain
using var cts = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cts.Cancel(); };

try
{
    return args.FirstOrDefault() switch
    {
        "deploy" => await DeployCommand.RunAsync(args[1..], cts.Token),
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
