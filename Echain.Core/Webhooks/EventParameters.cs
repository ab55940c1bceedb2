using System.Text.Json;
using Echain.Core.Chain;

namespace Echain.Core.Webhooks;

/// <summary>
/// A payload's decoded event parameters, canonicalized by type: addresses normalized, uint256 values in
/// canonical decimal, anything else verbatim. The types come from the event signature when it fits the
/// parameters, else from well-known parameter names.
/// </summary>
internal static class EventParameters
{
    /// <summary>Names whose values are addresses when the payload carries no event signature.</summary>
    private static readonly HashSet<string> KnownAddressNames = ["from", "to", "buyer", "creator"];

    /// <summary>Names whose values are uint256 when the payload carries no event signature.</summary>
    private static readonly HashSet<string> KnownUintNames =
        ["tokenId", "eventId", "value", "price", "maxTickets", "ticketPrice", "startTime", "endTime"];

    private enum ParameterKind { Verbatim, Address, Uint }

    /// <summary>Adds the parameters of object <paramref name="raw"/> (payload field <paramref name="field"/>) to
    /// <paramref name="into"/>; a value that does not fit its type is reported to <paramref name="read"/>.</summary>
    public static void Read(FieldReader read, JsonElement raw, string field, string? signature, Dictionary<string, string> into)
    {
        if (raw.ValueKind != JsonValueKind.Object) { read.Invalid(field, $"{field} must be an object"); return; }

        var properties = raw.EnumerateObject().ToList();
        // Coinbase lists decoded parameters in ABI order, so the i-th type of the signature belongs to the i-th name.
        var types = SignatureTypes(signature);
        if (types is not null && types.Count != properties.Count) types = null;

        for (var i = 0; i < properties.Count; i++)
        {
            var (name, value) = (properties[i].Name, properties[i].Value);
            // Structs and arrays are kept as their JSON text; no Echain event has them.
            var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
            var kind = types is not null ? KindOfType(types[i])
                : KnownAddressNames.Contains(name) ? ParameterKind.Address
                : KnownUintNames.Contains(name) ? ParameterKind.Uint
                : ParameterKind.Verbatim;
            var path = $"{field}.{name}";
            switch (kind)
            {
                case ParameterKind.Address when EthAddress.TryNormalize(text, out var a): into[name] = a; break;
                case ParameterKind.Address: read.Invalid(path, $"{path} is not an address"); break;
                case ParameterKind.Uint when Uint256.TryCanonicalize(text, out var u): into[name] = u; break;
                case ParameterKind.Uint: read.Invalid(path, $"{path} is not a uint256"); break;
                default: into[name] = text; break;
            }
        }
    }

    private static ParameterKind KindOfType(string type) =>
        type == "address" ? ParameterKind.Address
        : type.StartsWith("uint", StringComparison.Ordinal) && !type.Contains('[') ? ParameterKind.Uint
        : ParameterKind.Verbatim;

    /// <summary>"Transfer(address,address,uint256)" → [address, address, uint256]; commas inside tuples do not split.</summary>
    internal static List<string>? SignatureTypes(string? signature)
    {
        if (signature is null) return null;
        var open = signature.IndexOf('(');
        if (open < 0 || !signature.EndsWith(')')) return null;
        var inner = signature[(open + 1)..^1];
        var types = new List<string>();
        if (inner.Length == 0) return types;
        int depth = 0, start = 0;
        for (var i = 0; i < inner.Length; i++)
        {
            switch (inner[i])
            {
                case '(': depth++; break;
                case ')': depth--; break;
                case ',' when depth == 0:
                    types.Add(FirstWord(inner[start..i]));
                    start = i + 1;
                    break;
            }
        }
        types.Add(FirstWord(inner[start..]));
        return types;

        // Tolerates "uint256 indexed eventId" should a sender include modifiers and names.
        static string FirstWord(string s) => s.Trim().Split(' ', 2)[0];
    }
}
