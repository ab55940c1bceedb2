using Nethereum.Signer;

namespace Echain.Core.Auth;

/// <summary>Whether a wallet signed a text with <c>personal_sign</c> (EIP-191), whatever kind of wallet it is.</summary>
public interface IWalletSignatures
{
    /// <param name="address">the wallet that claims the signature (any case).</param>
    /// <param name="message">the exact text that was signed.</param>
    /// <param name="signatureHex">0x-prefixed hex as the wallet returned it.</param>
    Task<bool> IsValidAsync(string address, string message, string signatureHex, CancellationToken cancellationToken);
}

/// <summary>
/// Externally owned accounts: the signer recovered from a 65-byte signature is the address.
/// </summary>
public sealed class WalletSignatures : IWalletSignatures
{
    private static readonly EthereumMessageSigner Signer = new();

    public Task<bool> IsValidAsync(string address, string message, string signatureHex, CancellationToken cancellationToken) =>
        Task.FromResult(IsExternallyOwnedSignature(address, message, signatureHex));

    /// <summary>True when <paramref name="signatureHex"/> is a 65-byte ECDSA signature by <paramref name="address"/>'s key.</summary>
    public static bool IsExternallyOwnedSignature(string address, string message, string signatureHex)
    {
        var hex = signatureHex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? signatureHex[2..] : signatureHex;
        if (hex.Length != 130 || !hex.All(Uri.IsHexDigit)) return false;
        try
        {
            var signer = Signer.EncodeUTF8AndEcRecover(message, signatureHex);
            return string.Equals(signer, address, StringComparison.OrdinalIgnoreCase);
        }
        catch (ArgumentException)
        {
            // A malformed v or an r/s outside the curve recovers nobody: not this wallet's signature.
            return false;
        }
    }
}
