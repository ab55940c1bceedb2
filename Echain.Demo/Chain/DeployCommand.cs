namespace Echain.Demo.Chain;

/// <summary>
/// `deploy --rpc URL`: puts the contracts on a local node unless they are there, and prints their
/// addresses as shell assignments (ECHAIN_TICKET_CONTRACT=…, ECHAIN_PAYMENT_TOKEN=…) for ./run.sh.
/// </summary>
public static class DeployCommand
{
    public static async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var rpc = new CommandLine(args, ["--rpc"]).Url("--rpc", "http://127.0.0.1:8545");
        var deployment = await EchainDeployment.EnsureLocalAsync(rpc, ct);
        Console.WriteLine($"ECHAIN_TICKET_CONTRACT={deployment.TicketContract}");
        Console.WriteLine($"ECHAIN_PAYMENT_TOKEN={deployment.PaymentToken}");
        return 0;
    }
}
