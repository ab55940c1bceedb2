using System.Numerics;
using Echain.Demo.Chain;
using Echain.LocalServices;
using Nethereum.Hex.HexTypes;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Signer;
using Nethereum.Web3;

namespace Echain.Tests.Infrastructure;

/// <summary>
/// A private anvil node on a free loopback port (one block per transaction), killed on Dispose. Use as a
/// class fixture. Tests act through fresh random accounts funded here, so tests sharing a node never
/// race for an account's nonce.
/// </summary>
public sealed class AnvilServer : IDisposable
{
    private readonly AnvilInstance _instance = new();

    public Uri RpcUrl => _instance.RpcUrl;

    public Web3 Reader() => ChainClients.Reader(RpcUrl);

    /// <summary>A new account with 100 ETH for gas (anvil_setBalance), signing for chain 84532.</summary>
    public async Task<Web3> NewAccountAsync()
    {
        var key = EthECKey.GenerateKey().GetPrivateKeyAsBytes().ToHex(prefix: true);
        var web3 = ChainClients.Web3(RpcUrl, key);
        await web3.Client.SendRequestAsync("anvil_setBalance", null,
            web3.TransactionManager.Account.Address, new HexBigInteger(BigInteger.Pow(10, 20)).HexValue);
        return web3;
    }

    /// <summary>A fresh TestUsdc + EchainTickets pair, deployed by a new account.</summary>
    public async Task<EchainDeployment> DeployAsync() => await EchainDeployment.DeployAsync(await NewAccountAsync());

    /// <summary>A new funded account acting on <paramref name="deployment"/>.</summary>
    public async Task<EchainWallet> WalletAsync(EchainDeployment deployment) => new(await NewAccountAsync(), deployment);

    public void Stop() => _instance.Stop();

    public void Start() => _instance.Start();

    public void Dispose() => _instance.Dispose();
}
