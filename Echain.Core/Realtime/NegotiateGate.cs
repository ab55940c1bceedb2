namespace Echain.Core.Realtime;

/// <summary>
/// Who may receive a connection, and with which user id: user messages reach only the wallet a verified
/// token names, so no client can subscribe itself to another user's messages. Token validation is the
/// caller's (it owns the keys); the rule is here, once for both hosts.
/// </summary>
public static class NegotiateGate
{
    /// <summary>Under Azure Functions the signalRConnectionInfo binding takes the user id from this request header.</summary>
    public const string UserIdHeader = "x-echain-user-id";

    private const string Invalid = "The bearer token is invalid or expired.";

    /// <summary>
    /// Standalone: no bearer is an anonymous connection; a bearer must validate (as a user token, or as a
    /// connection token issued earlier, which clients re-send when they reconnect) and gives its subject.
    /// </summary>
    public static async Task<(ApiProblem? Problem, string? UserId)> ResolveAsync(
        string? authorization, Func<string, Task<(bool Valid, string? UserId)>> validateNegotiator)
    {
        if (!TryBearer(authorization, out var token)) return (null, null);
        var (valid, userId) = await validateNegotiator(token);
        return valid ? (null, userId) : (ApiProblem.InvalidToken(Invalid), null);
    }

    /// <summary>
    /// Azure Functions: the binding has already minted a token for <paramref name="claimedUserId"/>; it may be
    /// handed out only for an anonymous request (no Authorization, empty header) or a user token whose subject
    /// is exactly the claimed id. Null means allowed.
    /// </summary>
    public static async Task<ApiProblem?> CheckClaimAsync(
        string? authorization, string? claimedUserId, Func<string, Task<string?>> validateUserToken)
    {
        claimedUserId ??= "";
        if (string.IsNullOrEmpty(authorization))
        {
            return claimedUserId.Length == 0
                ? null
                : ApiProblem.InvalidToken($"{UserIdHeader} names a user but no bearer token proves it; send Authorization: Bearer <user token>, or an empty {UserIdHeader} for an anonymous connection.");
        }
        if (!TryBearer(authorization, out var token)) return ApiProblem.InvalidToken(Invalid);
        var subject = await validateUserToken(token);
        if (subject is null) return ApiProblem.InvalidToken(Invalid);
        return string.Equals(claimedUserId, subject, StringComparison.Ordinal)
            ? null
            : ApiProblem.InvalidToken($"{UserIdHeader} must be the token's subject, the lowercase wallet address '{subject}'.");
    }

    /// <summary>The token of an <c>Authorization: Bearer …</c> header; false when there is no bearer.</summary>
    public static bool TryBearer(string? authorization, out string token)
    {
        token = "";
        if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return false;
        token = authorization["Bearer ".Length..].Trim();
        return true;
    }
}
