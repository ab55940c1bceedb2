using System.Text.Json.Nodes;
using Echain.Functions.Http;
using Echain.Functions.Realtime;

namespace Echain.Functions.FunctionsHost;

/// <summary>
/// Negotiate. Trigger: httpTrigger <c>req</c> (POST /api/negotiate). Input: <c>connectionInfo</c>
/// (signalRConnectionInfo, hub "echain", userId <c>{headers.x-echain-user-id}</c>). Output: <c>res</c>.
/// The binding mints a token for whatever id the client put in the header; this function is the gate and
/// hands it out only for an anonymous request or a user token whose subject is exactly that id.
/// </summary>
public static class NegotiateFunction
{
    public const string Name = "Negotiate";
    public const string UserIdHeader = "x-echain-user-id";

    public static async Task<InvocationResult> RunAsync(FunctionInvocation invocation, RealtimeTokens tokens)
    {
        var req = invocation.HttpRequest("req");
        var claimedUserId = req.Header(UserIdHeader) ?? "";
        var authorization = req.Header("Authorization") ?? "";

        if (authorization.Length == 0)
        {
            if (claimedUserId.Length > 0)
                return Refuse($"{UserIdHeader} names a user but no bearer token proves it; send Authorization: Bearer <user token>, or an empty {UserIdHeader} for an anonymous connection.");
        }
        else
        {
            if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
                return Refuse("The bearer token is invalid or expired.");
            var subject = await tokens.ValidateUserTokenAsync(authorization["Bearer ".Length..].Trim());
            if (subject is null) return Refuse("The bearer token is invalid or expired.");
            if (!string.Equals(claimedUserId, subject, StringComparison.Ordinal))
                return Refuse($"{UserIdHeader} must be the token's subject, the lowercase wallet address '{subject}'.");
        }

        var info = ConnectionInfo(invocation.Data["connectionInfo"]);
        if (info is null) return InvocationResult.Failed("Data.connectionInfo is missing: is the signalRConnectionInfo binding configured?");
        return InvocationResult.Ok().Output("res", HttpOutput.Json(StatusCodes.Status200OK, info.ToJsonString()));
    }

    /// <summary>{url, accessToken} from the binding (an object, or the same as a JSON string).</summary>
    internal static JsonObject? ConnectionInfo(JsonNode? node)
    {
        if (node is JsonValue value && value.TryGetValue<string>(out var text)) node = JsonNode.Parse(text);
        if (node is not JsonObject obj) return null;
        var url = FunctionInvocation.Lookup(obj, "url")?.ToString();
        var accessToken = FunctionInvocation.Lookup(obj, "accessToken")?.ToString();
        return url is null || accessToken is null ? null : new JsonObject { ["url"] = url, ["accessToken"] = accessToken };
    }

    // The minted connection info is dropped: the caller gets the standalone host's 401 problem.
    private static InvocationResult Refuse(string detail) =>
        InvocationResult.Ok().Output("res", HttpOutput.Problem(Problems.Unauthorized(detail).Problem));
}
