using Echain.Demo.Chain;
using Nethereum.Web3.Accounts;

namespace Echain.Demo.Feed;

/// <summary>
/// `verify --api URL --rpc URL [--ticket-contract 0x…] [--usdc 0x…] [--wait-seconds 30]`: checks that
/// every event, ticket and balance the API shows equals the chain's answer (anvil's default accounts
/// and every ticket owner); exit code 1 with each difference when not.
/// </summary>
public static class VerifyCommand
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var line = new CommandLine(args, ["--api", "--rpc", "--ticket-contract", "--usdc", "--wait-seconds"]);
        var api = new Uri(line.Url("--api").ToString().TrimEnd('/') + "/");
        var deployment = new EchainDeployment(
            line.Value("--ticket-contract") ?? EchainDeployment.Local.TicketContract, line.Value("--usdc") ?? EchainDeployment.Local.PaymentToken);
        using var http = new HttpClient();
        var compare = new ApiVersusChain(http, api, new ChainState(ChainClients.Reader(line.Url("--rpc", "http://127.0.0.1:8545")), deployment), deployment);
        var result = await compare.CompareUntilEqualAsync(AnvilAccounts.PrivateKeys.Select(k => new Account(k).Address),
            TimeSpan.FromSeconds(line.Number("--wait-seconds", 30)), ct);
        foreach (var difference in result.Differences)
            Console.WriteLine($"[verify] {difference}");
        Console.WriteLine(result.Differences.Count == 0
            ? $"[verify] {result.Events} events, {result.Tickets} tickets, {result.Wallets} wallets: the API equals the chain"
            : $"[verify] {result.Differences.Count} difference(s) in {result.Events} events, {result.Tickets} tickets, {result.Wallets} wallets");
        return result.Differences.Count == 0 ? 0 : 1;
    }
}
