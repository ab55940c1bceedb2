using System.Text.Json.Nodes;
using Echain.Core.Realtime;

namespace Echain.Functions.AzureFunctions;

/// <summary>
/// OnConnected. Trigger: signalRTrigger <c>invocation</c> (hub "echain", category "connections", event "connected").
/// Output: <c>signalRMessages</c> = one <c>connection-proof {connectionId, proof}</c> sent to that connection only.
/// SignalR Service assigns connection ids, so this is where a client learns the proof the group functions require.
/// </summary>
public static class OnConnectedFunction
{
    public const string Name = "OnConnected";
    public const string Category = "connections";
    public const string Event = "connected";

    public static InvocationResult Run(FunctionInvocation invocation, ConnectionProof proofs)
    {
        var connectionId = ConnectionId(invocation);
        if (string.IsNullOrWhiteSpace(connectionId))
            return InvocationResult.Failed("Data.invocation has no ConnectionId: is the signalRTrigger binding configured?");
        var proof = proofs.MessageFor(connectionId);
        var message = new JsonObject
        {
            ["connectionId"] = connectionId,
            ["target"] = ConnectionProof.Target,
            ["arguments"] = new JsonArray(new JsonObject { ["connectionId"] = proof.ConnectionId, ["proof"] = proof.Proof }),
        };
        return InvocationResult.Ok().Output(BindingNames.SignalRMessages, new JsonArray(message));
    }

    /// <summary>The trigger's InvocationContext (an object, or the same as a JSON string); else the binding data in Metadata.</summary>
    private static string? ConnectionId(FunctionInvocation invocation)
    {
        var node = invocation.Data[BindingNames.Invocation];
        if (node is JsonValue value && value.TryGetValue<string>(out var text) && text.TrimStart().StartsWith('{')) node = JsonNode.Parse(text);
        if (node is JsonObject context && FunctionInvocation.Lookup(context, "ConnectionId") is JsonValue id && id.TryGetValue<string>(out var fromData))
            return fromData;
        return invocation.MetadataString("ConnectionId");
    }
}
