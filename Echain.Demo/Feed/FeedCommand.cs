using Echain.Demo.Chain;

namespace Echain.Demo.Feed;

/// <summary>
/// `feed --api URL --rpc URL --ticket-contract 0x… --usdc 0x… [--interval-ms 1500] [--count 0]`:
/// the demo's real transactions and the console view of what a connected client receives.
/// </summary>
public static class FeedCommand
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var line = new CommandLine(args, ["--api", "--rpc", "--ticket-contract", "--usdc", "--interval-ms", "--count"]);
        var api = new Uri(line.Url("--api").ToString().TrimEnd('/') + "/");
        var deployment = new EchainDeployment(
            line.Value("--ticket-contract") ?? EchainDeployment.Local.TicketContract, line.Value("--usdc") ?? EchainDeployment.Local.PaymentToken);
        var options = new FeedOptions(api, line.Url("--rpc", "http://127.0.0.1:8545"), deployment,
            TimeSpan.FromMilliseconds(line.Number("--interval-ms", 1500)), (int)line.Number("--count", 0));
        try
        {
            await new DemoFeed(options).RunAsync(ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            Console.WriteLine("[feed] stopped");
        }
        return 0;
    }
}

/// <summary>Where the feed sends its transactions and whom it shows; <see cref="Count"/> 0 runs until stopped.</summary>
public sealed record FeedOptions(Uri Api, Uri Rpc, EchainDeployment Deployment, TimeSpan Interval, int Count);
