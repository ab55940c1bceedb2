using System.Text.Json;
using Echain.Core;
using Echain.Core.Realtime;

namespace Echain.Functions.AzureFunctions;

/// <summary>
/// JoinEventGroup. Trigger: httpTrigger <c>req</c> (POST /api/realtime/groups/{eventId}, body {connectionId, proof}).
/// Outputs: <c>signalRGroupActions</c> (signalR, action "add") and <c>res</c> (204).
/// </summary>
public static class JoinEventGroupFunction
{
    public const string Name = "JoinEventGroup";

    public static InvocationResult Run(FunctionInvocation invocation, ConnectionProof proofs) => EventGroup.Run(invocation, proofs, "add");
}

/// <summary>
/// LeaveEventGroup. Trigger: httpTrigger <c>req</c> (DELETE /api/realtime/groups/{eventId}, body {connectionId, proof}).
/// Outputs: <c>signalRGroupActions</c> (signalR, action "remove") and <c>res</c> (204).
/// </summary>
public static class LeaveEventGroupFunction
{
    public const string Name = "LeaveEventGroup";

    public static InvocationResult Run(FunctionInvocation invocation, ConnectionProof proofs) => EventGroup.Run(invocation, proofs, "remove");
}

internal static class EventGroup
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Same checks and problems as the standalone host (<see cref="EventGroupChange"/>, the proof included: SignalR
    /// Service assigns the ids, OnConnected sends each connection its proof); a rejected request writes no group action.
    /// </summary>
    public static InvocationResult Run(FunctionInvocation invocation, ConnectionProof proofs, string action)
    {
        var req = invocation.HttpRequest(BindingNames.Request);
        var eventId = req.Params.TryGetValue("eventId", out var id) ? id : "";
        var body = Membership(req.Body);
        if (EventGroupChange.Check(eventId, body, proofs, out var group) is { } problem)
            return Reject(problem);
        return InvocationResult.Ok()
            .Output(BindingNames.SignalRGroupActions, SignalROutput.GroupAction(action, body!.ConnectionId!, group))
            .Output(BindingNames.Response, HttpOutput.NoContent());
    }

    private static GroupMembership? Membership(string? body)
    {
        if (string.IsNullOrWhiteSpace(body)) return null;
        try
        {
            return JsonSerializer.Deserialize<GroupMembership>(body, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static InvocationResult Reject(ApiProblem problem) =>
        InvocationResult.Ok().Output(BindingNames.Response, HttpOutput.Problem(problem));
}
