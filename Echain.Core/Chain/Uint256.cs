using System.Globalization;
using System.Numerics;

namespace Echain.Core.Chain;

/// <summary>uint256 values travel as canonical decimal strings; this is the one parser for them.</summary>
public static class Uint256
{
    public static readonly BigInteger Max = (BigInteger.One << 256) - 1;

    /// <summary>Accepts decimal digits or 0x-prefixed hex; rejects signs, blanks and values above 2^256-1.</summary>
    public static bool TryParse(string? text, out BigInteger value)
    {
        value = default;
        if (string.IsNullOrEmpty(text)) return false;
        bool ok;
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            var hex = text[2..];
            ok = hex.Length is > 0 and <= 64 && hex.All(char.IsAsciiHexDigit)
                 && BigInteger.TryParse("0" + hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        }
        else
        {
            ok = text.Length <= 78 && text.All(char.IsAsciiDigit)
                 && BigInteger.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        }
        return ok && value >= 0 && value <= Max;
    }

    /// <summary>Canonical decimal form ("007" and "0x7" both become "7").</summary>
    public static bool TryCanonicalize(string? text, out string canonical)
    {
        canonical = "";
        if (!TryParse(text, out var value)) return false;
        canonical = value.ToString(CultureInfo.InvariantCulture);
        return true;
    }
}
