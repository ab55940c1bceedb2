using System.Security.Cryptography;
using Echain.Core.Auth;
using Echain.Core.Chain.Rpc;
using Echain.LocalServices;
using Echain.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Signer;

namespace Echain.Tests.Auth;

/// <summary>
/// personal_sign signatures of every kind of wallet against a real anvil: externally owned accounts, a deployed
/// ERC-1271 wallet, and an ERC-6492 counterfactual wallet before and after its deployment.
/// </summary>
public sealed class WalletSignatureTests(AnvilServer anvil) : IClassFixture<AnvilServer>
{
    private const string Message = "localhost wants you to sign in with your Ethereum account:\n0x0\n\nSign in to Echain.\n\nNonce: 3f9a1c2b";
    private static readonly EthereumMessageSigner Signer = new();

    [Fact]
    public async Task An_externally_owned_account_signature_is_valid_without_asking_the_chain()
    {
        var key = EthECKey.GenerateKey();
        using var rpc = Rpc($"http://127.0.0.1:{LoopbackPort.Free()}"); // no node: a valid EOA signature needs none

        Assert.True(await new WalletSignatures(rpc).IsValidAsync(key.GetPublicAddress().ToUpperInvariant().Replace("0X", "0x"),
            Message, Sign(key, Message), CancellationToken.None));
    }

    [Fact]
    public async Task An_externally_owned_account_does_not_accept_another_key_or_another_message()
    {
        var key = EthECKey.GenerateKey();
        using var rpc = Rpc(anvil.RpcUrl.ToString());
        var signatures = new WalletSignatures(rpc);

        Assert.False(await signatures.IsValidAsync(key.GetPublicAddress(), Message, Sign(EthECKey.GenerateKey(), Message), CancellationToken.None));
        Assert.False(await signatures.IsValidAsync(key.GetPublicAddress(), Message + " ", Sign(key, Message), CancellationToken.None));
    }

    [Theory]
    [InlineData("")]
    [InlineData("0x")]
    [InlineData("0xzz")]
    [InlineData("0x123")]
    [InlineData("not a signature")]
    [InlineData("truncated")]
    [InlineData("extended")]
    public async Task A_malformed_signature_is_not_valid(string kind)
    {
        var key = EthECKey.GenerateKey();
        var real = Sign(key, Message);
        var signature = kind switch { "truncated" => real[..^2], "extended" => real + "00", _ => kind };
        using var rpc = Rpc(anvil.RpcUrl.ToString());

        Assert.False(await new WalletSignatures(rpc).IsValidAsync(key.GetPublicAddress(), Message, signature, CancellationToken.None));
    }

    [Fact]
    public async Task A_deployed_erc1271_wallet_accepts_its_owners_signature_only()
    {
        var owner = EthECKey.GenerateKey();
        var wallet = await TestWallets.DeployOwnedWalletAsync(await anvil.NewAccountAsync(), owner.GetPublicAddress());
        using var rpc = Rpc(anvil.RpcUrl.ToString());
        var signatures = new WalletSignatures(rpc);

        Assert.True(await signatures.IsValidAsync(wallet, Message, Sign(owner, Message), CancellationToken.None));
        Assert.False(await signatures.IsValidAsync(wallet, Message, Sign(EthECKey.GenerateKey(), Message), CancellationToken.None));
        Assert.False(await signatures.IsValidAsync(wallet, "another message", Sign(owner, Message), CancellationToken.None));
        // The owner's key is not the wallet: its own signature is valid for the owner's address, not as the wallet's by recovery.
        Assert.True(await signatures.IsValidAsync(owner.GetPublicAddress(), Message, Sign(owner, Message), CancellationToken.None));
    }

    [Theory]
    [InlineData("RevertingWallet")]
    [InlineData("WrongMagicWallet")]
    public async Task A_wallet_that_reverts_or_answers_another_value_is_not_valid(string contract)
    {
        var wallet = await TestWallets.DeployAsync(await anvil.NewAccountAsync(), contract);
        using var rpc = Rpc(anvil.RpcUrl.ToString());

        Assert.False(await new WalletSignatures(rpc).IsValidAsync(wallet, Message, Sign(EthECKey.GenerateKey(), Message), CancellationToken.None));
    }

    [Fact]
    public async Task A_counterfactual_wallet_is_verified_in_a_call_that_leaves_it_undeployed()
    {
        var (owner, factory, salt, wallet) = await CounterfactualWalletAsync();
        using var rpc = Rpc(anvil.RpcUrl.ToString());
        var signatures = new WalletSignatures(rpc);

        Assert.True(await signatures.IsValidAsync(wallet, Message, Wrapped(factory, owner, salt, Sign(owner, Message)), CancellationToken.None));
        Assert.False(await signatures.IsValidAsync(wallet, Message, Wrapped(factory, owner, salt, Sign(EthECKey.GenerateKey(), Message)),
            CancellationToken.None));
        // The factory deploys another owner's wallet elsewhere: not the claimed address.
        var stranger = EthECKey.GenerateKey();
        Assert.False(await signatures.IsValidAsync(wallet, Message, Wrapped(factory, stranger, salt, Sign(stranger, Message)), CancellationToken.None));
        // Without the wrapper nothing is at the address yet, and the owner's key is not the wallet.
        Assert.False(await signatures.IsValidAsync(wallet, Message, Sign(owner, Message), CancellationToken.None));
        Assert.False(await TestWallets.HasCodeAsync(anvil.Reader(), wallet));
    }

    [Fact]
    public async Task After_deployment_both_the_plain_and_the_wrapped_signature_are_valid()
    {
        var (owner, factory, salt, wallet) = await CounterfactualWalletAsync();
        await TestWallets.DeployWalletAsync(await anvil.NewAccountAsync(), factory, owner.GetPublicAddress(), salt);
        using var rpc = Rpc(anvil.RpcUrl.ToString());
        var signatures = new WalletSignatures(rpc);

        Assert.True(await TestWallets.HasCodeAsync(anvil.Reader(), wallet));
        Assert.True(await signatures.IsValidAsync(wallet, Message, Sign(owner, Message), CancellationToken.None));
        Assert.True(await signatures.IsValidAsync(wallet, Message, Wrapped(factory, owner, salt, Sign(owner, Message)), CancellationToken.None));
        Assert.False(await signatures.IsValidAsync(wallet, Message, Wrapped(factory, owner, salt, Sign(EthECKey.GenerateKey(), Message)),
            CancellationToken.None));
    }

    [Fact]
    public async Task A_malformed_erc6492_wrapper_is_not_valid_without_asking_the_chain()
    {
        var owner = EthECKey.GenerateKey();
        var wrapped = new Erc6492Signature("0x" + new string('1', 40), [1, 2, 3], Sign(owner, Message).HexToByteArray()).Encode();
        using var rpc = Rpc($"http://127.0.0.1:{LoopbackPort.Free()}");
        var signatures = new WalletSignatures(rpc);
        // An offset past the end, and the suffix alone.
        var broken = (byte[])wrapped.Clone();
        broken[63] = 0xff;

        Assert.False(await signatures.IsValidAsync(owner.GetPublicAddress(), Message, broken.ToHex(prefix: true), CancellationToken.None));
        Assert.False(await signatures.IsValidAsync(owner.GetPublicAddress(), Message, wrapped[^32..].ToHex(prefix: true), CancellationToken.None));
    }

    [Fact]
    public async Task When_no_node_answers_a_contract_signature_is_unavailable_not_invalid()
    {
        var (owner, factory, salt, wallet) = await CounterfactualWalletAsync();
        using var rpc = Rpc($"http://127.0.0.1:{LoopbackPort.Free()}");
        var signatures = new WalletSignatures(rpc);

        await Assert.ThrowsAsync<ChainRpcUnavailableException>(() =>
            signatures.IsValidAsync(wallet, Message, Sign(owner, Message), CancellationToken.None));
        await Assert.ThrowsAsync<ChainRpcUnavailableException>(() =>
            signatures.IsValidAsync(wallet, Message, Wrapped(factory, owner, salt, Sign(owner, Message)), CancellationToken.None));
    }

    private async Task<(EthECKey Owner, string Factory, byte[] Salt, string Wallet)> CounterfactualWalletAsync()
    {
        var owner = EthECKey.GenerateKey();
        var factory = await TestWallets.DeployFactoryAsync(await anvil.NewAccountAsync());
        var salt = RandomNumberGenerator.GetBytes(32);
        var wallet = await TestWallets.AddressOfAsync(anvil.Reader(), factory, owner.GetPublicAddress(), salt);
        Assert.False(await TestWallets.HasCodeAsync(anvil.Reader(), wallet));
        return (owner, factory, salt, wallet);
    }

    private static string Wrapped(string factory, EthECKey owner, byte[] salt, string innerSignature) =>
        new Erc6492Signature(factory, TestWallets.DeployCalldata(owner.GetPublicAddress(), salt), innerSignature.HexToByteArray())
            .Encode().ToHex(prefix: true);

    private static string Sign(EthECKey key, string message) => Signer.EncodeUTF8AndSign(message, key);

    private static FailoverChainRpc Rpc(string url) =>
        new(Options.Create(new ChainOptions { RpcUrls = [url], RpcTimeout = TimeSpan.FromSeconds(5) }), TimeProvider.System,
            NullLogger<FailoverChainRpc>.Instance);
}
