using System.Globalization;
using System.Text.RegularExpressions;
using Nethereum.Util;

namespace Echain.Core.Auth;

/// <summary>
/// Reads the EIP-4361 ABNF line by line: <c>[scheme "://"] domain</c> preamble, an EIP-55 address, an optional
/// statement between blank lines, then the tagged fields in their fixed order (URI, Version, Chain ID, Nonce,
/// Issued At, and optionally Expiration Time, Not Before, Request ID, Resources). Lines end in LF only.
/// The first problem found is returned with the field it concerns; nothing here decides whether to accept.
/// </summary>
public static partial class SiweMessageParser
{
    /// <summary>Parses <paramref name="text"/>; false with <paramref name="error"/> naming the field otherwise.</summary>
    public static bool TryParse(string text, out SiweMessage? message, out SiweParseError? error)
    {
        message = null;
        error = Parse(text, out message);
        return error is null;
    }

    private static SiweParseError? Parse(string text, out SiweMessage? message)
    {
        message = null;
        if (text.Contains('\r')) return new("message", "Lines must end in LF (\\n) only, not CR LF.");
        var lines = new Lines(text.Split('\n'));

        var header = lines.Next();
        if (header is null || !header.EndsWith(SiweMessage.Preamble, StringComparison.Ordinal))
            return new("domain", $"The first line must be '<domain>{SiweMessage.Preamble}'.");
        var authority = header[..^SiweMessage.Preamble.Length];
        string? scheme = null;
        var schemeEnd = authority.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd >= 0)
        {
            scheme = authority[..schemeEnd];
            authority = authority[(schemeEnd + 3)..];
            if (!SchemePattern().IsMatch(scheme)) return new("scheme", $"'{scheme}' is not a URI scheme.");
        }
        if (!IsAuthority(authority)) return new("domain", $"'{authority}' is not a host[:port] authority.");

        var address = lines.Next();
        if (address is null || !AddressPattern().IsMatch(address))
            return new("address", "The second line must be the address: 0x followed by 40 hex digits.");
        if (!new AddressUtil().IsChecksumAddress(address))
            return new("address", $"'{address}' is not in its EIP-55 checksummed (mixed-case) form.");
        if (lines.Next() != "") return new("address", "A blank line must follow the address.");

        string? statement = null;
        var afterStatement = lines.Next();
        if (afterStatement is null) return new("uri", "The URI line is missing.");
        if (afterStatement != "")
        {
            statement = afterStatement;
            if (statement.Any(char.IsControl)) return new("statement", "The statement must be one line of printable text.");
            if (lines.Next() != "") return new("statement", "A blank line must follow the statement.");
        }

        if (lines.Tagged("URI: ") is not { } uri) return new("uri", "The line 'URI: <uri>' is missing here.");
        if (!IsAbsoluteUri(uri)) return new("uri", $"'{uri}' is not an absolute URI.");
        if (lines.Tagged("Version: ") is not { } version) return new("version", "The line 'Version: 1' is missing here.");
        if (version != "1") return new("version", $"Version '{version}' is not supported; it must be 1.");
        if (lines.Tagged("Chain ID: ") is not { } chainText) return new("chainId", "The line 'Chain ID: <number>' is missing here.");
        if (!DigitsPattern().IsMatch(chainText) || !long.TryParse(chainText, NumberStyles.None, CultureInfo.InvariantCulture, out var chainId))
            return new("chainId", $"Chain ID '{chainText}' is not a decimal number.");
        if (lines.Tagged("Nonce: ") is not { } nonce) return new("nonce", "The line 'Nonce: <nonce>' is missing here.");
        if (!NoncePattern().IsMatch(nonce)) return new("nonce", "The nonce must be at least 8 letters or digits.");
        if (lines.Tagged("Issued At: ") is not { } issuedText) return new("issuedAt", "The line 'Issued At: <RFC 3339 time>' is missing here.");
        if (!TryTime(issuedText, out var issuedAt)) return new("issuedAt", $"'{issuedText}' is not an RFC 3339 date-time.");

        DateTimeOffset? expirationTime = null, notBefore = null;
        if (lines.Tagged("Expiration Time: ") is { } expiresText)
        {
            if (!TryTime(expiresText, out var expires)) return new("expirationTime", $"'{expiresText}' is not an RFC 3339 date-time.");
            expirationTime = expires;
        }
        if (lines.Tagged("Not Before: ") is { } notBeforeText)
        {
            if (!TryTime(notBeforeText, out var time)) return new("notBefore", $"'{notBeforeText}' is not an RFC 3339 date-time.");
            notBefore = time;
        }
        var requestId = lines.Tagged("Request ID: ");
        if (requestId is not null && (requestId.Any(char.IsControl) || requestId.Contains(' ')))
            return new("requestId", "The request id must be URI path characters.");
        List<string>? resources = null;
        if (lines.Peek() == "Resources:")
        {
            lines.Next();
            resources = [];
            while (lines.Peek() is { } line && line.StartsWith("- ", StringComparison.Ordinal))
            {
                var resource = lines.Next()![2..];
                if (!IsAbsoluteUri(resource)) return new("resources", $"'{resource}' is not an absolute URI.");
                resources.Add(resource);
            }
        }
        if (lines.Peek() is { } extra)
            return new("message", $"Unexpected line '{Shorten(extra)}' after the last field (or a field out of the EIP's order).");

        message = new SiweMessage(scheme, authority, address, statement, uri, version, chainId, nonce, issuedAt,
            expirationTime, notBefore, requestId, resources);
        return null;
    }

    /// <summary>RFC 3339 date-time: a full date, T, a time with seconds, optional fraction, Z or an offset.</summary>
    private static bool TryTime(string text, out DateTimeOffset time)
    {
        time = default;
        return TimePattern().IsMatch(text)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out time);
    }

    /// <summary>RFC 3986 absolute: a scheme first (.NET alone would take "/login" for a Unix file path).</summary>
    private static bool IsAbsoluteUri(string text) =>
        UriSchemePrefix().IsMatch(text) && System.Uri.TryCreate(text, UriKind.Absolute, out _);

    private static bool IsAuthority(string authority) =>
        authority.Length > 0 && !authority.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '?' or '#')
        && System.Uri.TryCreate("http://" + authority + "/", UriKind.Absolute, out var parsed) && parsed.AbsolutePath == "/";

    private static string Shorten(string line) => line.Length <= 40 ? line : line[..40] + "…";

    private sealed class Lines(string[] lines)
    {
        private int _next;
        public string? Peek() => _next < lines.Length ? lines[_next] : null;
        public string? Next() => _next < lines.Length ? lines[_next++] : null;

        /// <summary>The value after <paramref name="tag"/> when the next line has it (and moves on), else null.</summary>
        public string? Tagged(string tag)
        {
            if (Peek() is not { } line || !line.StartsWith(tag, StringComparison.Ordinal)) return null;
            _next++;
            return line[tag.Length..];
        }
    }

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*$")]
    private static partial Regex SchemePattern();
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9+.-]*:")]
    private static partial Regex UriSchemePrefix();
    [GeneratedRegex("^0x[0-9a-fA-F]{40}$")]
    private static partial Regex AddressPattern();
    [GeneratedRegex("^[0-9]+$")]
    private static partial Regex DigitsPattern();
    [GeneratedRegex("^[A-Za-z0-9]{8,}$")]
    private static partial Regex NoncePattern();
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex TimePattern();
}
