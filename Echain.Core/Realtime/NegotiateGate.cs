namespace Echain.Core.Realtime;

/// <summary>
/// Who may receive a connection, and with which user id: user messages reach only the wallet a verified
/// token names, so no client can subscribe itself to another user's messages. Token validation is the
/// caller's (it owns the keys); the rule is here, once, and both hosts' <c>POST /api/negotiate</c> call it.
/// </summary>
public static class NegotiateGate
{
    private const string Invalid = "The bearer token is invalid or expired.";

    /// <summary>
    /// No bearer is an anonymous connection; a bearer must validate (as a user token, or as a connection token
    /// issued earlier, which clients re-send when they reconnect) and gives its subject. The user id never comes
    /// from anything else the client sends (an old client's <c>x-echain-user-id</c> header is ignored).
    /// Standalone mints an Echain hub token for the result, the Functions host a SignalR Service one.
    /// </summary>
    public static async Task<(ApiProblem? Problem, string? UserId)> ResolveAsync(
        string? authorization, Func<string, Task<(bool Valid, string? UserId)>> validateNegotiator)
    {
        if (!TryBearer(authorization, out var token)) return (null, null);
        var (valid, userId) = await validateNegotiator(token);
        return valid ? (null, userId) : (ApiProblem.InvalidToken(Invalid), null);
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
