using System.Globalization;
using System.Numerics;

namespace Echain.Core.Projection;

internal static class DecimalText
{
    /// <summary>Ids and amounts travel as decimal strings in cache keys, group names and payloads.</summary>
    public static string ToDecimal(this BigInteger value) => value.ToString(CultureInfo.InvariantCulture);
}
