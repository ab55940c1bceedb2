using System.Text.Json.Nodes;
using Echain.Core.Realtime;
using Echain.Functions.Shared.Realtime;

namespace Echain.Functions.AzureFunctions;

/// <summary>
/// Negotiate. Trigger: httpTrigger <c>req</c> (POST /api/negotiate). Input: <c>connectionInfo</c>
/// (signalRConnectionInfo, hub "echain", userId <c>{headers.x-echain-user-id}</c>). Output: <c>res</c>.
/// The binding mints a token for whatever id the client put in the header; this function is the gate and
/// hands it out only for an anonymous request or a user token whose subject is exactly that id.
/// </summary>
public static class NegotiateFunction
{
    public const string Name = "Negotiate";

    public static async Task<InvocationResult> RunAsync(FunctionInvocation invocation, RealtimeTokens tokens)
    {
        var req = invocation.HttpRequest(BindingNames.Request);
        // The minted connection info is dropped on refusal: the caller gets the standalone host's 401 problem.
        if (await NegotiateGate.CheckClaimAsync(req.Header("Authorization"), req.Header(NegotiateGate.UserIdHeader),
                tokens.ValidateUserTokenAsync) is { } refused)
            return InvocationResult.Ok().Output(BindingNames.Response, HttpOutput.Problem(refused));

        var info = ConnectionInfo(invocation.Data[BindingNames.ConnectionInfo]);
        if (info is null) return InvocationResult.Failed("Data.connectionInfo is missing: is the signalRConnectionInfo binding configured?");
        return InvocationResult.Ok().Output(BindingNames.Response, HttpOutput.Json(StatusCodes.Status200OK, info.ToJsonString()));
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
}
