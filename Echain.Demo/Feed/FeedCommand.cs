using Echain.Demo.Chain;

namespace Echain.Demo.Feed;

/// <summary>
/// `feed --api URL --rpc URL --ticket-contract 0x… --usdc 0x… [--interval-ms 1500] [--count 0] [--metadata-base-uri URL]`:
/// the demo's real transactions and the console view of what a connected client receives. Each new event's tickets
/// get the tokenURI base `--metadata-base-uri` (default `{api}api/tickets/`), so wallets resolve them to the app's metadata.
/// </summary>
public static class FeedCommand
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var line = new CommandLine(args, ["--api", "--rpc", "--ticket-contract", "--usdc", "--interval-ms", "--count", "--metadata-base-uri"]);
        var api = new Uri(line.Url("--api").ToString().TrimEnd('/') + "/");
        var deployment = new EchainDeployment(
            line.Value("--ticket-contract") ?? EchainDeployment.Local.TicketContract, line.Value("--usdc") ?? EchainDeployment.Local.PaymentToken);
        var options = new FeedOptions(api, line.Url("--rpc", "http://127.0.0.1:8545"), deployment,
            TimeSpan.FromMilliseconds(line.Number("--interval-ms", 1500)), (int)line.Number("--count", 0),
            // The contract refuses a base without the trailing "/" (the token id would run into the path).
            new Uri(line.Url("--metadata-base-uri", new Uri(api, "api/tickets/").ToString()).ToString().TrimEnd('/') + "/"));
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

/// <summary>
/// Where the feed sends its transactions and whom it shows; <see cref="Count"/> 0 runs until stopped.
/// <see cref="MetadataBaseUri"/> is what each new event's organizer sets as its tickets' tokenURI base.
/// </summary>
public sealed record FeedOptions(Uri Api, Uri Rpc, EchainDeployment Deployment, TimeSpan Interval, int Count, Uri MetadataBaseUri);
