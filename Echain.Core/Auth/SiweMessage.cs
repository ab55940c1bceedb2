using System.Globalization;
using System.Text;

namespace Echain.Core.Auth;

/// <summary>
/// A Sign-In with Ethereum (EIP-4361) message: what a wallet shows its user and signs with <c>personal_sign</c>.
/// <see cref="Address"/> is as written (EIP-55 mixed case); the signed text is the original, never <see cref="ToText"/>.
/// </summary>
public sealed record SiweMessage(
    string? Scheme,
    string Domain,
    string Address,
    string? Statement,
    string Uri,
    string Version,
    long ChainId,
    string Nonce,
    DateTimeOffset IssuedAt,
    DateTimeOffset? ExpirationTime = null,
    DateTimeOffset? NotBefore = null,
    string? RequestId = null,
    IReadOnlyList<string>? Resources = null)
{
    public const string Preamble = " wants you to sign in with your Ethereum account:";

    /// <summary>The message in the EIP's text form (times as RFC 3339 UTC with milliseconds, like JavaScript's toISOString).</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        text.Append(Scheme is null ? "" : Scheme + "://").Append(Domain).Append(Preamble).Append('\n');
        text.Append(Address).Append("\n\n");
        if (Statement is not null) text.Append(Statement).Append('\n');
        text.Append('\n');
        text.Append("URI: ").Append(Uri).Append('\n');
        text.Append("Version: ").Append(Version).Append('\n');
        text.Append("Chain ID: ").Append(ChainId.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append("Nonce: ").Append(Nonce).Append('\n');
        text.Append("Issued At: ").Append(Time(IssuedAt));
        if (ExpirationTime is { } expires) text.Append("\nExpiration Time: ").Append(Time(expires));
        if (NotBefore is { } notBefore) text.Append("\nNot Before: ").Append(Time(notBefore));
        if (RequestId is not null) text.Append("\nRequest ID: ").Append(RequestId);
        if (Resources is { Count: > 0 })
        {
            text.Append("\nResources:");
            foreach (var resource in Resources) text.Append("\n- ").Append(resource);
        }
        return text.ToString();
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>Why a text is not an EIP-4361 message: the field (as the EIP names it) and what is wrong with it.</summary>
public sealed record SiweParseError(string Field, string Detail);
