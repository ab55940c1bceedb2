namespace Echain.Core.Chain;

/// <summary>Addresses are compared and stored lowercase; the zero address marks mints and burns.</summary>
public static class EthAddress
{
    public const string Zero = "0x0000000000000000000000000000000000000000";

    public static bool TryNormalize(string? value, out string normalized)
    {
        normalized = "";
        if (value is null || value.Length != 42 || value[0] != '0' || (value[1] != 'x' && value[1] != 'X'))
            return false;
        for (var i = 2; i < 42; i++)
            if (!char.IsAsciiHexDigit(value[i])) return false;
        normalized = "0x" + value[2..].ToLowerInvariant();
        return true;
    }

    public static string Normalize(string value) =>
        TryNormalize(value, out var normalized)
            ? normalized
            : throw new FormatException($"'{value}' is not a 20-byte hex address.");

    public static bool IsZero(string normalized) => normalized == Zero;
}
