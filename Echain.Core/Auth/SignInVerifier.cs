using Echain.Core.Chain.Rpc;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Echain.Core.Auth;

/// <summary>The verified wallet (lowercase), or why not.</summary>
public sealed record SignInOutcome(string? Wallet, ApiProblem? Problem)
{
    public static SignInOutcome Rejected(ApiProblem problem) => new(null, problem);
}

/// <summary>
/// Decides a Sign-In with Ethereum attempt, the same on both hosts. Order: the body and the message's syntax
/// (400, naming the field), then everything the message itself states against the settings — domain, URI, chain
/// id, statement, times (401) — and only then the nonce is consumed, then the signature checked (401).
/// So a malformed or mis-addressed message leaves its nonce usable, while a message that reaches the signature
/// check has spent its nonce whatever the result: each nonce buys at most one signature check (which may be an
/// RPC call for a contract wallet), and the atomic consume, not the slower check, decides which of two concurrent
/// attempts proceeds. Nothing here logs the nonce, the signature or the message.
/// </summary>
public sealed class SignInVerifier(
    IOptions<SignInOptions> options, SignInNonces nonces, SignInChain chain, IWalletSignatures signatures, TimeProvider clock)
{
    private readonly SignInOptions _options = options.Value;
    private readonly IReadOnlyList<Uri> _origins = options.Value.Origins();

    public async Task<SignInOutcome> VerifyAsync(string? messageText, string? signature, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(messageText))
            return SignInOutcome.Rejected(ApiProblem.InvalidArgument("message is missing: the EIP-4361 text the wallet signed.", "message"));
        if (!IsHexSignature(signature))
            return SignInOutcome.Rejected(ApiProblem.InvalidArgument("signature must be 0x followed by the hex bytes the wallet returned.", "signature"));
        if (!SiweMessageParser.TryParse(messageText, out var message, out var syntax))
            return SignInOutcome.Rejected(ApiProblem.InvalidArgument($"The message is not an EIP-4361 message: {syntax!.Detail}", syntax.Field));

        try
        {
            if (await StatedProblemAsync(message!, cancellationToken) is { } stated) return SignInOutcome.Rejected(stated);
            if (!await nonces.ConsumeAsync(message!.Nonce))
                return SignInOutcome.Rejected(Rejected("The nonce is unknown, expired or already used; get a new one from GET /api/auth/nonce.", "nonce"));
            if (!await signatures.IsValidAsync(message.Address, messageText, signature!, cancellationToken))
                return SignInOutcome.Rejected(Rejected("The signature is not the address's signature of this message.", "signature"));
        }
        catch (ChainRpcUnavailableException)
        {
            return SignInOutcome.Rejected(ApiProblem.ServiceUnavailable("The chain cannot be reached to check the sign-in; retry later."));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return SignInOutcome.Rejected(ApiProblem.ServiceUnavailable("Sign-in nonces are unavailable; retry later."));
        }
        return new SignInOutcome(message.Address.ToLowerInvariant(), null);
    }

    /// <summary>A 401 naming the message field that was refused.</summary>
    public static ApiProblem Rejected(string detail, string field) =>
        new(401, ApiProblem.TypeBase + "sign-in-rejected", "Sign-in rejected.", detail,
            new Dictionary<string, string> { ["field"] = field });

    private async Task<ApiProblem?> StatedProblemAsync(SiweMessage message, CancellationToken cancellationToken)
    {
        var origin = _origins.FirstOrDefault(o => string.Equals(o.Authority, message.Domain, StringComparison.OrdinalIgnoreCase)
            && (message.Scheme is null || string.Equals(o.Scheme, message.Scheme, StringComparison.OrdinalIgnoreCase)));
        if (origin is null)
            return Rejected($"The domain '{message.Domain}' is not one this service signs users in for.", "domain");
        if (!SameOrigin(new Uri(message.Uri), origin))
            return Rejected($"The URI must be on {origin.GetLeftPart(UriPartial.Authority)}, the origin of the domain.", "uri");

        var expectedChain = await chain.ChainIdAsync(cancellationToken);
        if (message.ChainId != expectedChain)
            return Rejected($"Chain ID {message.ChainId} is not this service's chain ({expectedChain}).", "chainId");
        var expectedStatement = _options.Statement.Length == 0 ? null : _options.Statement;
        if (!string.Equals(message.Statement, expectedStatement, StringComparison.Ordinal))
            return Rejected(expectedStatement is null ? "The message must have no statement." : $"The statement must be '{expectedStatement}'.", "statement");

        var now = clock.GetUtcNow();
        var tolerance = _options.ClockTolerance;
        if (message.IssuedAt > now + tolerance)
            return Rejected("Issued At is in the future.", "issuedAt");
        if (message.ExpirationTime is { } expires && expires <= now - tolerance)
            return Rejected("The message has expired (Expiration Time has passed).", "expirationTime");
        if (message.NotBefore is { } notBefore && notBefore > now + tolerance)
            return Rejected("The message is not valid yet (Not Before is in the future).", "notBefore");
        return null;
    }

    private static bool SameOrigin(Uri uri, Uri origin) =>
        string.Equals(uri.GetLeftPart(UriPartial.Authority), origin.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase);

    /// <summary>0x and an even, non-zero number of hex digits: 65 bytes for an EOA, longer for ERC-1271/6492.</summary>
    private static bool IsHexSignature(string? signature) =>
        signature is { Length: > 2 } && signature.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
        && signature.Length % 2 == 0 && signature.AsSpan(2).ContainsAnyExcept(HexDigits) is false;

    private static readonly System.Buffers.SearchValues<char> HexDigits =
        System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");
}
