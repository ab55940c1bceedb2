using Nethereum.Util;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;

namespace Echain.Demo.Chain;

/// <summary>Where the Echain contracts live on a chain: what the app is configured with.</summary>
public sealed record EchainDeployment(string TicketContract, string PaymentToken)
{
    /// <summary>
    /// The addresses a fresh local chain always gets: TestUsdc at the first default account's nonce 0,
    /// EchainTickets at its nonce 1.
    /// </summary>
    public static EchainDeployment Local { get; } = new(Address(LocalDeployer, 1), Address(LocalDeployer, 0));

    private static string LocalDeployer => new Account(AnvilAccounts.Deployer).Address;

    /// <summary>
    /// Deploys from the first default account unless the contracts are already at <see cref="Local"/>
    /// (a node restarted on its kept state). A node where that account already sent other transactions
    /// cannot get these addresses: that is an error, not a silent second deployment.
    /// </summary>
    public static async Task<EchainDeployment> EnsureLocalAsync(Uri rpcUrl, CancellationToken ct = default)
    {
        var web3 = ChainClients.Web3(rpcUrl, AnvilAccounts.Deployer);
        if (await HasCodeAsync(web3, Local.TicketContract) && await HasCodeAsync(web3, Local.PaymentToken))
            return Local;
        var nonce = await web3.Eth.Transactions.GetTransactionCount.SendRequestAsync(web3.TransactionManager.Account.Address);
        if (nonce.Value != 0)
            throw new InvalidOperationException(
                $"The contracts are not at {Local.PaymentToken} / {Local.TicketContract}, and the deployer account already " +
                $"sent {nonce.Value} transaction(s) on this chain, so they cannot get those addresses. Remove the node's state " +
                "(.data/anvil) or configure Echain:TicketContracts and Echain:PaymentTokens yourself.");
        var deployed = await DeployAsync(web3, ct);
        return deployed == Local ? deployed
            : throw new InvalidOperationException($"Deployed at unexpected addresses {deployed}; expected {Local}.");
    }

    /// <summary>A new TestUsdc and an EchainTickets paid in it, from the web3's account (tests deploy their own).</summary>
    public static async Task<EchainDeployment> DeployAsync(IWeb3 web3, CancellationToken ct = default)
    {
        var usdc = await web3.Eth.GetContractDeploymentHandler<TestUsdcDeployment>()
            .SendRequestAndWaitForReceiptAsync(new TestUsdcDeployment(), ct);
        var tickets = await web3.Eth.GetContractDeploymentHandler<EchainTicketsDeployment>()
            .SendRequestAndWaitForReceiptAsync(new EchainTicketsDeployment { PaymentToken = usdc.ContractAddress }, ct);
        return new EchainDeployment(Lower(tickets.ContractAddress), Lower(usdc.ContractAddress));
    }

    private static async Task<bool> HasCodeAsync(IWeb3 web3, string address) =>
        (await web3.Eth.GetCode.SendRequestAsync(address)) is { Length: > 2 } code && code != "0x";

    private static string Address(string deployer, int nonce) => Lower(ContractUtils.CalculateContractAddress(deployer, nonce));

    private static string Lower(string address) => address.ToLowerInvariant();
}
