using System.Net;
using System.Security.Cryptography;
using Echain.Core.Auth;
using Echain.Tests.Infrastructure;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Signer;
using Nethereum.Util;

namespace Echain.Tests.EndToEnd;

/// <summary>
/// Sign-in through the real routes for the wallets most Base users hold: a deployed ERC-1271 contract wallet and a
/// counterfactual (not yet deployed) one behind ERC-6492, verified against the app's own anvil node.
/// </summary>
public sealed class SmartWalletSignInTests(SignInTestHost host) : IClassFixture<SignInTestHost>
{
    private static readonly EthereumMessageSigner Signer = new();

    [Fact]
    public async Task A_deployed_erc1271_wallet_signs_in_with_its_owners_signature()
    {
        var owner = EthECKey.GenerateKey();
        var wallet = await TestWallets.DeployOwnedWalletAsync(await host.Anvil.NewAccountAsync(), owner.GetPublicAddress());

        var text = await MessageForAsync(wallet);
        var (status, _, body) = await SignInCalls.ReadAsync(await host.VerifyAsync(text, Signer.EncodeUTF8AndSign(text, owner)));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(wallet.ToLowerInvariant(), body.GetProperty("userId").GetString());

        var forged = await MessageForAsync(wallet);
        var (refused, field, _) = await SignInCalls.ReadAsync(await host.VerifyAsync(forged, Signer.EncodeUTF8AndSign(forged, EthECKey.GenerateKey())));
        Assert.Equal(HttpStatusCode.Unauthorized, refused);
        Assert.Equal("signature", field);
    }

    [Fact]
    public async Task A_counterfactual_wallet_signs_in_through_erc6492_and_stays_undeployed()
    {
        var owner = EthECKey.GenerateKey();
        var factory = await TestWallets.DeployFactoryAsync(await host.Anvil.NewAccountAsync());
        var salt = RandomNumberGenerator.GetBytes(32);
        var wallet = await TestWallets.AddressOfAsync(host.Anvil.Reader(), factory, owner.GetPublicAddress(), salt);

        var text = await MessageForAsync(wallet);
        var (status, _, body) = await SignInCalls.ReadAsync(await host.VerifyAsync(text, Wrapped(factory, owner, owner, salt, text)));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(wallet.ToLowerInvariant(), body.GetProperty("userId").GetString());
        Assert.False(await TestWallets.HasCodeAsync(host.Anvil.Reader(), wallet));

        var forged = await MessageForAsync(wallet);
        var (refused, field, _) = await SignInCalls.ReadAsync(
            await host.VerifyAsync(forged, Wrapped(factory, owner, EthECKey.GenerateKey(), salt, forged)));
        Assert.Equal(HttpStatusCode.Unauthorized, refused);
        Assert.Equal("signature", field);
    }

    private async Task<string> MessageForAsync(string wallet) =>
        (new SignInWallet().Message(SignInTestHost.Origin, SignInTestHost.ChainId, await host.NonceAsync())
            with { Address = new AddressUtil().ConvertToChecksumAddress(wallet) }).ToText();

    /// <summary>The factory call that would deploy <paramref name="owner"/>'s wallet, around <paramref name="signer"/>'s signature.</summary>
    private static string Wrapped(string factory, EthECKey owner, EthECKey signer, byte[] salt, string text) =>
        new Erc6492Signature(factory, TestWallets.DeployCalldata(owner.GetPublicAddress(), salt),
            Signer.EncodeUTF8AndSign(text, signer).HexToByteArray()).Encode().ToHex(prefix: true);
}
