using System.Text;
using Echain.Core.Chain.Rpc;
using Nethereum.ABI;
using Nethereum.Signer;
using Nethereum.Util;

namespace Echain.Core.Auth;

/// <summary>Whether a wallet signed a text with <c>personal_sign</c> (EIP-191), whatever kind of wallet it is.</summary>
public interface IWalletSignatures
{
    /// <param name="address">the wallet that claims the signature (any case).</param>
    /// <param name="message">the exact text that was signed.</param>
    /// <param name="signatureHex">0x-prefixed hex as the wallet returned it.</param>
    /// <exception cref="ChainRpcUnavailableException">the signature needs the chain (a smart-contract wallet) and no node answered.</exception>
    Task<bool> IsValidAsync(string address, string message, string signatureHex, CancellationToken cancellationToken);
}

/// <summary>
/// In the order ERC-6492 prescribes, except that an ECDSA signature by the address's own key is accepted first,
/// offline (whoever holds that key controls the address, so no contract can overrule it):
/// <list type="number">
/// <item>ERC-6492 suffix: ValidateSigOffchain in one eth_call (deploys a counterfactual wallet in the call's sandbox only);</item>
/// <item>65 bytes that recover to the address: an externally owned account;</item>
/// <item>code at the address: ERC-1271 <c>isValidSignature(hash, signature)</c> must return 0x1626ba7e;</item>
/// <item>otherwise not valid.</item>
/// </list>
/// A revert is "not valid"; a chain that no node answers for is <see cref="ChainRpcUnavailableException"/>, never "not valid".
/// </summary>
public sealed class WalletSignatures(IChainRpc rpc) : IWalletSignatures
{
    private static readonly byte[] Erc1271MagicValue = [0x16, 0x26, 0xba, 0x7e];
    // Recovers from the personal-message hash IsValidAsync already made (EthereumMessageSigner would hash the text again).
    private static readonly MessageSigner Recoverer = new();
    private static readonly ABIEncode Abi = new();

    public async Task<bool> IsValidAsync(string address, string message, string signatureHex, CancellationToken cancellationToken)
    {
        if (!AddressUtil.Current.IsValidEthereumAddressHexFormat(address) || ParseHex(signatureHex) is not { } signature) return false;
        var hash = PersonalMessageHash(message);
        if (Erc6492Signature.HasMagicSuffix(signature))
            return Erc6492Signature.TryDecode(signature) is not null && await IsValidCounterfactualAsync(address, hash, signature, cancellationToken);
        if (signature.Length == 65 && RecoversTo(address, hash, signatureHex)) return true;
        var code = await rpc.GetCodeAsync(address, cancellationToken);
        return code.Value.Length > 0 && await IsValidContractSignatureAsync(address, hash, signature, cancellationToken);
    }

    /// <summary>True when the 65-byte <paramref name="signatureHex"/> over <paramref name="hash"/> was made with <paramref name="address"/>'s key.</summary>
    private static bool RecoversTo(string address, byte[] hash, string signatureHex)
    {
        try
        {
            return string.Equals(Recoverer.EcRecover(hash, signatureHex), address, StringComparison.OrdinalIgnoreCase);
        }
        catch (ArgumentException)
        {
            // A malformed v or an r/s outside the curve recovers nobody: not this wallet's signature.
            return false;
        }
    }

    /// <summary>EIP-191 version 0x45: keccak256("\x19Ethereum Signed Message:\n" + byte length + UTF-8 bytes), what personal_sign signs.</summary>
    public static byte[] PersonalMessageHash(string message)
    {
        var bytes = Encoding.UTF8.GetBytes(message);
        return Sha3Keccack.Current.CalculateHash([.. Encoding.UTF8.GetBytes($"\u0019Ethereum Signed Message:\n{bytes.Length}"), .. bytes]);
    }

    private async Task<bool> IsValidContractSignatureAsync(string wallet, byte[] hash, byte[] signature, CancellationToken cancellationToken)
    {
        byte[] call = [.. Erc1271MagicValue, .. Abi.GetABIEncoded(new ABIValue("bytes32", hash), new ABIValue("bytes", signature))];
        var answer = await rpc.CallAsync(wallet, call, cancellationToken);
        // bytes4 comes back left-aligned in one word; anything else (a revert, no answer, another value) is not valid.
        var output = answer.Value.Output;
        return !answer.Value.Reverted && output.Length == 32 && output.AsSpan(0, 4).SequenceEqual(Erc1271MagicValue)
            && !output.AsSpan(4).ContainsAnyExcept((byte)0);
    }

    private async Task<bool> IsValidCounterfactualAsync(string wallet, byte[] hash, byte[] signature, CancellationToken cancellationToken)
    {
        byte[] deployless = [.. Erc6492Signature.ValidatorCreationCode,
            .. Abi.GetABIEncoded(new ABIValue("address", wallet), new ABIValue("bytes32", hash), new ABIValue("bytes", signature))];
        var answer = await rpc.CallAsync(null, deployless, cancellationToken);
        return !answer.Value.Reverted && answer.Value.Output is [0x01];
    }

    private static byte[]? ParseHex(string value)
    {
        var hex = value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? value[2..] : value;
        return hex.Length > 0 && hex.Length % 2 == 0 && hex.All(Uri.IsHexDigit) ? Convert.FromHexString(hex) : null;
    }
}
