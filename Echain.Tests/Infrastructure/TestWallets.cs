using System.Text.Json;
using Nethereum.ABI.FunctionEncoding.Attributes;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Web3;

namespace Echain.Tests.Infrastructure;

/// <summary>The smart-contract wallets of contracts/test, deployed on anvil: ERC-1271 and its CREATE2 factory.</summary>
internal static class TestWallets
{
    /// <summary>Creation bytecode of a contract in contracts/build/test (embedded in this assembly).</summary>
    public static string Bytecode(string contract)
    {
        using var stream = typeof(TestWallets).Assembly.GetManifestResourceStream($"contracts/test/{contract}.json")
            ?? throw new InvalidOperationException($"contracts/build/test/{contract}.json is not embedded; run node contracts/compile.mjs.");
        using var json = JsonDocument.Parse(stream);
        return json.RootElement.GetProperty("bytecode").GetString()!;
    }

    /// <summary>A deployed OwnedWallet: valid signatures are the owner's.</summary>
    public static async Task<string> DeployOwnedWalletAsync(IWeb3 deployer, string owner) =>
        await DeployAsync(deployer, new OwnedWalletDeployment { Owner = owner });

    public static async Task<string> DeployAsync(IWeb3 deployer, string contract) =>
        await DeployAsync(deployer, new BareDeployment(Bytecode(contract)));

    public static async Task<string> DeployFactoryAsync(IWeb3 deployer) => await DeployAsync(deployer, "WalletFactory");

    /// <summary>Where the factory deploys the owner's wallet with this salt (CREATE2: known before deployment).</summary>
    public static async Task<string> AddressOfAsync(IWeb3 web3, string factory, string owner, byte[] salt) =>
        (await web3.Eth.GetContractQueryHandler<AddressOfFunction>()
            .QueryAsync<string>(factory, new AddressOfFunction { Owner = owner, Salt = salt })).ToLowerInvariant();

    /// <summary>The factory call a counterfactual wallet puts in its ERC-6492 signature.</summary>
    public static byte[] DeployCalldata(string owner, byte[] salt) =>
        new DeployWalletFunction { Owner = owner, Salt = salt }.GetCallData();

    /// <summary>Deploys the wallet for real (a transaction), as a wallet's first user operation would.</summary>
    public static async Task DeployWalletAsync(IWeb3 sender, string factory, string owner, byte[] salt)
    {
        var receipt = await sender.Eth.GetContractTransactionHandler<DeployWalletFunction>()
            .SendRequestAndWaitForReceiptAsync(factory, new DeployWalletFunction { Owner = owner, Salt = salt });
        if (receipt.Status.Value != 1) throw new InvalidOperationException($"WalletFactory.deploy failed in {receipt.TransactionHash}.");
    }

    public static async Task<bool> HasCodeAsync(IWeb3 web3, string address) =>
        (await web3.Eth.GetCode.SendRequestAsync(address)).HexToByteArray().Length > 0;

    private static async Task<string> DeployAsync<T>(IWeb3 deployer, T deployment) where T : ContractDeploymentMessage, new()
    {
        var receipt = await deployer.Eth.GetContractDeploymentHandler<T>().SendRequestAndWaitForReceiptAsync(deployment);
        if (receipt.Status.Value != 1) throw new InvalidOperationException($"Deploying {typeof(T).Name} failed in {receipt.TransactionHash}.");
        return receipt.ContractAddress.ToLowerInvariant();
    }

    private sealed class OwnedWalletDeployment() : ContractDeploymentMessage(Bytecode("OwnedWallet"))
    {
        [Parameter("address", "owner_", 1)] public string Owner { get; set; } = "";
    }

    private sealed class BareDeployment(string bytecode) : ContractDeploymentMessage(bytecode)
    {
        public BareDeployment() : this("") { }
    }

    [Function("deploy", "address")]
    private sealed class DeployWalletFunction : FunctionMessage
    {
        [Parameter("address", "owner", 1)] public string Owner { get; set; } = "";
        [Parameter("bytes32", "salt", 2)] public byte[] Salt { get; set; } = [];
    }

    [Function("addressOf", "address")]
    private sealed class AddressOfFunction : FunctionMessage
    {
        [Parameter("address", "owner", 1)] public string Owner { get; set; } = "";
        [Parameter("bytes32", "salt", 2)] public byte[] Salt { get; set; } = [];
    }
}
