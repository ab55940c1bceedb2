using System.Buffers.Text;
using System.Globalization;
using System.Numerics;
using System.Text;
using Echain.Core.Chain;

namespace Echain.Core.Reads;

/// <summary>
/// The listings' opaque cursors: base64url of a kind and the last row's keys. Anything that does not decode to this
/// listing's kind and keys is refused with <see cref="InvalidReadArgumentException"/> (the host answers 400, field "cursor").
/// </summary>
internal static class ReadCursor
{
    // The kind prefix stops a cursor of one listing from being replayed against another.
    internal static string EncodeCursor(string kind, params string[] keys) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(kind + "|" + string.Join('|', keys)));

    internal static string[] DecodeCursor(string cursor, string kind, int count)
    {
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (FormatException)
        {
            throw InvalidCursor();
        }

        var parts = text.Split('|');
        if (parts.Length != count + 1 || parts[0] != kind || parts.Skip(1).Any(string.IsNullOrEmpty))
            throw InvalidCursor();
        return parts[1..];
    }

    /// <summary>A (block_number, log_index, tx_hash) position: the newest-first listings.</summary>
    internal static (long? Block, int? Log, string? Tx) DecodeBlockCursor(string cursor, string kind)
    {
        var keys = DecodeCursor(cursor, kind, 3);
        var block = long.TryParse(keys[0], NumberStyles.None, CultureInfo.InvariantCulture, out var b) ? b : throw InvalidCursor();
        var log = int.TryParse(keys[1], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : throw InvalidCursor();
        return (block, log, keys[2]);
    }

    internal static string EncodeBlockCursor(string kind, long block, int log, string tx) =>
        EncodeCursor(kind, block.ToString(CultureInfo.InvariantCulture), log.ToString(CultureInfo.InvariantCulture), tx);

    internal static BigInteger ParseCursorNumber(string text) =>
        Uint256.TryParse(text, out var value) && !text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? value : throw InvalidCursor();

    internal static InvalidReadArgumentException InvalidCursor() =>
        new("cursor", "The cursor is not one this listing gave out; pass the nextCursor of its previous page unchanged, or omit it for the first page.");
}
