namespace Echain.Core.Chain;

/// <summary>Transaction hashes: 0x and 64 hex digits, compared and stored lowercase (like <see cref="EthAddress"/>).</summary>
public static class TransactionHashes
{
    private static readonly System.Buffers.SearchValues<char> HexDigits =
        System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>Accepts 0x or 0X and hex digits of either case; <paramref name="normalized"/> is lowercase.</summary>
    public static bool TryNormalize(string? value, out string normalized)
    {
        normalized = "";
        if (value is null || value.Length != 66 || !value.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            || value.AsSpan(2).ContainsAnyExcept(HexDigits))
            return false;
        normalized = "0x" + value[2..].ToLowerInvariant();
        return true;
    }
}
