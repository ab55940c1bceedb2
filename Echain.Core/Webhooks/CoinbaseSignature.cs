using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Echain.Core.Webhooks;

/// <summary>Why a signature was rejected; the text of <see cref="SignatureCheck.Detail"/> goes into the 401 problem.</summary>
public enum SignatureFailure
{
    None,
    NoSecretsConfigured,
    MissingHeader,
    MalformedHeader,
    V1MissingAndV0NotAllowed,
    StaleTimestamp,
    FutureTimestamp,
    SignedHeaderMissing,
    Mismatch,
}

/// <summary>
/// Outcome of one verification. <see cref="Scheme"/> is "v1", "v0" or "legacy" when valid. <see cref="SignedHeaders"/>
/// lists the header names a readable Hook0 header says it signed (its <c>h</c>), for the delivery log.
/// </summary>
public sealed record SignatureCheck(SignatureFailure Failure, string Detail, string? Scheme = null, IReadOnlyList<string>? SignedHeaders = null)
{
    public bool IsValid => Failure == SignatureFailure.None;

    internal static SignatureCheck Valid(string scheme, IReadOnlyList<string>? signedHeaders = null) =>
        new(SignatureFailure.None, "valid", scheme, signedHeaders);
    internal static SignatureCheck Fail(SignatureFailure failure, string detail, IReadOnlyList<string>? signedHeaders = null) =>
        new(failure, detail, null, signedHeaders);
}

/// <summary>
/// Verifies Coinbase CDP (Hook0) webhook signatures over the raw body bytes, never a re-serialized body:
/// any re-encoding (key order, escapes, number format) would change the bytes that were signed.
/// </summary>
public sealed class CoinbaseSignature(IOptions<CoinbaseOptions> options, TimeProvider time)
{
    public const string HeaderName = "X-Hook0-Signature";
    public const string LegacyHeaderName = "X-Coinbase-Signature";

    private const int HashBytes = 32;
    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    /// <summary>The configured secrets as HMAC keys, kept while the configured list stays the same (every webhook needs them).</summary>
    private volatile SecretKeys? _keys;

    private sealed record SecretKeys(string[] Configured, byte[][] Keys);

    public SignatureCheck Verify(IReadOnlyDictionary<string, string> headers, ReadOnlySpan<byte> body)
    {
        var config = options.Value;
        var secrets = KeysOf(config.WebhookSecrets);
        if (secrets.Length == 0)
            return SignatureCheck.Fail(SignatureFailure.NoSecretsConfigured, "No webhook secret is configured on this server.");

        if (!WebhookHeaders.TryGet(headers, HeaderName, out var header))
        {
            if (config.AllowLegacySignature && WebhookHeaders.TryGet(headers, LegacyHeaderName, out var legacy))
                return VerifyLegacy(secrets, legacy, body);
            return SignatureCheck.Fail(SignatureFailure.MissingHeader, $"The {HeaderName} header is missing.");
        }

        if (!TryParseHeader(header, out var parsed, out var malformed))
            return SignatureCheck.Fail(SignatureFailure.MalformedHeader, $"The {HeaderName} header is malformed: {malformed}.");

        var useV1 = parsed.V1.Count > 0;
        if (!useV1 && !(config.AllowV0Signature && parsed.V0.Count > 0))
            return SignatureCheck.Fail(SignatureFailure.V1MissingAndV0NotAllowed,
                parsed.V0.Count > 0
                    ? $"The {HeaderName} header has no v1 signature and v0 signatures are not accepted."
                    : $"The {HeaderName} header has no v1 signature.");

        // Both directions: a future timestamp is as suspicious as a stale one (a captured request replayed later).
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        var age = now - parsed.Timestamp;
        if (age > config.ToleranceSeconds)
            return SignatureCheck.Fail(SignatureFailure.StaleTimestamp,
                $"The signature timestamp is {age} s old; at most {config.ToleranceSeconds} s is accepted.");
        if (-age > config.ToleranceSeconds)
            return SignatureCheck.Fail(SignatureFailure.FutureTimestamp,
                $"The signature timestamp is {-age} s in the future; at most {config.ToleranceSeconds} s is accepted.");

        string prefix;
        if (useV1)
        {
            var values = new List<string>(parsed.SignedHeaders.Length);
            foreach (var name in parsed.SignedHeaders)
            {
                if (!WebhookHeaders.TryGet(headers, name, out var value))
                    return SignatureCheck.Fail(SignatureFailure.SignedHeaderMissing,
                        $"The signed header '{name}' is not present in the request.", parsed.SignedHeaders);
                values.Add(value);
            }
            prefix = V1Prefix(parsed.TimestampText, parsed.SignedHeaderList, values);
        }
        else
        {
            prefix = V0Prefix(parsed.TimestampText);
        }

        var candidates = useV1 ? parsed.V1 : parsed.V0;
        Span<byte> expected = stackalloc byte[HashBytes];
        foreach (var secret in secrets)
        {
            Hmac(secret, prefix, body, expected);
            // Every candidate is compared in constant time; the loop count depends only on the header and config.
            foreach (var candidate in candidates)
                if (CryptographicOperations.FixedTimeEquals(expected, candidate))
                    return SignatureCheck.Valid(useV1 ? "v1" : "v0", useV1 ? parsed.SignedHeaders : null);
        }
        return SignatureCheck.Fail(SignatureFailure.Mismatch,
            $"The {(useV1 ? "v1" : "v0")} signature does not match the body with any configured secret.",
            useV1 ? parsed.SignedHeaders : null);
    }

    /// <summary>
    /// Produces an <c>X-Hook0-Signature</c> value (t, v0, h, v1) exactly as Coinbase would, for the demo feed,
    /// tests and the benchmark. <paramref name="signedHeaders"/> must be sent with the request too.
    /// </summary>
    public static string Sign(string secret, long unixTimestamp,
        IReadOnlyList<KeyValuePair<string, string>> signedHeaders, ReadOnlySpan<byte> body)
    {
        var t = unixTimestamp.ToString(CultureInfo.InvariantCulture);
        var h = string.Join(' ', signedHeaders.Select(p => p.Key.ToLowerInvariant()));
        Span<byte> v0 = stackalloc byte[HashBytes];
        Span<byte> v1 = stackalloc byte[HashBytes];
        var key = Encoding.UTF8.GetBytes(secret);
        Hmac(key, V0Prefix(t), body, v0);
        Hmac(key, V1Prefix(t, h, signedHeaders.Select(p => p.Value)), body, v1);
        return $"t={t},v0={Convert.ToHexStringLower(v0)},h={h},v1={Convert.ToHexStringLower(v1)}";
    }

    /// <summary>The legacy <c>X-Coinbase-Signature</c> value: hex HMAC-SHA256(secret, raw body).</summary>
    public static string SignLegacy(string secret, ReadOnlySpan<byte> body)
    {
        Span<byte> mac = stackalloc byte[HashBytes];
        Hmac(Encoding.UTF8.GetBytes(secret), "", body, mac);
        return Convert.ToHexStringLower(mac);
    }

    private byte[][] KeysOf(List<string> configured)
    {
        var keys = _keys;
        if (keys is null || !keys.Configured.AsSpan().SequenceEqual(CollectionsMarshal.AsSpan(configured)))
            _keys = keys = new SecretKeys([.. configured],
                [.. configured.Where(s => !string.IsNullOrEmpty(s)).Select(s => Encoding.UTF8.GetBytes(s))]);
        return keys.Keys;
    }

    private static SignatureCheck VerifyLegacy(byte[][] secrets, string header, ReadOnlySpan<byte> body)
    {
        if (!TryDecodeHash(header.AsSpan().Trim(), out var candidate))
            return SignatureCheck.Fail(SignatureFailure.MalformedHeader,
                $"The {LegacyHeaderName} header is not a hex HMAC-SHA256.");
        Span<byte> expected = stackalloc byte[HashBytes];
        foreach (var secret in secrets)
        {
            Hmac(secret, "", body, expected);
            if (CryptographicOperations.FixedTimeEquals(expected, candidate))
                return SignatureCheck.Valid("legacy");
        }
        return SignatureCheck.Fail(SignatureFailure.Mismatch,
            $"The {LegacyHeaderName} signature does not match the body with any configured secret.");
    }

    private static string V0Prefix(string t) => t + ".";

    private static string V1Prefix(string t, string h, IEnumerable<string> values) =>
        t + "." + h + "." + string.Join('.', values) + ".";

    /// <summary>
    /// HMAC-SHA256(key, prefix as UTF-8 + body), one shot over a pooled copy: cheaper per webhook than an incremental
    /// HMAC object, and the body is never re-encoded (its bytes are copied as they arrived).
    /// </summary>
    private static void Hmac(byte[] key, string prefix, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        var length = Encoding.UTF8.GetByteCount(prefix) + body.Length;
        var message = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encoding.UTF8.GetBytes(prefix, message);
            body.CopyTo(message.AsSpan(written));
            HMACSHA256.HashData(key, message.AsSpan(0, length), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(message);
        }
    }

    private static bool TryDecodeHash(ReadOnlySpan<char> hex, out byte[] hash)
    {
        hash = [];
        if (hex.Length != HashBytes * 2 || hex.ContainsAnyExcept(HexDigits)) return false;
        hash = Convert.FromHexString(hex);
        return true;
    }

    private sealed record ParsedHeader(
        long Timestamp, string TimestampText, string SignedHeaderList, string[] SignedHeaders,
        List<byte[]> V0, List<byte[]> V1);

    /// <summary>Walks the header's comma-separated key=value parts as spans: only the values kept become strings or bytes.</summary>
    private static bool TryParseHeader(string header, out ParsedHeader parsed, out string problem)
    {
        parsed = null!;
        string? t = null, h = null;
        List<byte[]> v0 = [], v1 = [];
        var rest = header.AsSpan();
        while (true)
        {
            var comma = rest.IndexOf(',');
            var part = comma < 0 ? rest : rest[..comma];
            var eq = part.IndexOf('=');
            if (eq <= 0) { problem = $"'{Truncate(part.ToString())}' is not key=value"; return false; }
            var key = part[..eq].Trim();
            var value = part[(eq + 1)..];
            switch (key)
            {
                case "t":
                    if (t is not null) { problem = "t appears twice"; return false; }
                    t = value.Trim().ToString();
                    break;
                case "h":
                    if (h is not null) { problem = "h appears twice"; return false; }
                    // Kept verbatim: h is part of the signed message.
                    h = value.ToString();
                    break;
                case "v0" or "v1":
                    if (!TryDecodeHash(value.Trim(), out var hash)) { problem = $"{key} is not a hex HMAC-SHA256"; return false; }
                    (key is "v0" ? v0 : v1).Add(hash);
                    break;
                // Unknown keys are ignored so that a future scheme (v2) added beside v1 does not break us.
            }
            if (comma < 0) break;
            rest = rest[(comma + 1)..];
        }
        if (t is null) { problem = "t is missing"; return false; }
        if (t.Length is 0 or > 12 || !t.All(char.IsAsciiDigit)) { problem = "t is not a unix timestamp"; return false; }
        if (v1.Count > 0 && h is null) { problem = "v1 is present without h"; return false; }
        var names = (h ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        parsed = new ParsedHeader(long.Parse(t, CultureInfo.InvariantCulture), t, h ?? "", names, v0, v1);
        problem = "";
        return true;
    }

    private static string Truncate(string text) => text.Length <= 20 ? text : text[..20] + "…";
}

/// <summary>Header lookup that tolerates a dictionary built without a case-insensitive comparer.</summary>
internal static class WebhookHeaders
{
    public static bool TryGet(IReadOnlyDictionary<string, string> headers, string name, out string value)
    {
        if (headers.TryGetValue(name, out value!)) return true;
        foreach (var (key, v) in headers)
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) { value = v; return true; }
        value = "";
        return false;
    }
}
