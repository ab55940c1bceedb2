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

    /// <summary>anvil_mine: <paramref name="blocks"/> empty blocks at once (confirmations for what came before).</summary>
    public async Task MineAsync(int blocks) =>
        await Reader().Client.SendRequestAsync("anvil_mine", null, new HexBigInteger(blocks).HexValue);

    /// <summary>evm_snapshot: the chain as it is now, to go back to with <see cref="RevertAsync"/>.</summary>
    public async Task<string> SnapshotAsync() => await Reader().Client.SendRequestAsync<string>("evm_snapshot");

    /// <summary>
    /// evm_revert: the chain goes back to the snapshot; the blocks after it leave the canonical chain, and the next
    /// transactions are mined at the same heights with other hashes (a reorg, as a node's clients see it).
    /// </summary>
    public async Task RevertAsync(string snapshot)
    {
        var reverted = await Reader().Client.SendRequestAsync<bool>("evm_revert", null, snapshot);
        if (!reverted) throw new InvalidOperationException($"evm_revert {snapshot} refused.");
    }

    public void Stop() => _instance.Stop();

    public void Start() => _instance.Start();

    public void Dispose() => _instance.Dispose();
}
