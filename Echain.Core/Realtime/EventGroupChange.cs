using Echain.Core.Reads;

namespace Echain.Core.Realtime;

/// <summary>
/// The check both hosts make before adding a connection to an event group or removing it: the same
/// problem for the same bad request, whichever host answers. Only the connection's own client holds its
/// proof (<see cref="ConnectionProof"/>), so knowing another client's connection id is not enough.
/// </summary>
public static class EventGroupChange
{
    /// <summary>The problem to answer, or null and the group name (<c>event-{id}</c>, id canonical).</summary>
    public static ApiProblem? Check(string eventId, GroupMembership? body, ConnectionProof proofs, out string group)
    {
        group = "";
        if (!TicketedEventId.TryParse(eventId, out var id)) return ApiProblem.BadEventId(eventId);
        if (string.IsNullOrWhiteSpace(body?.ConnectionId)) return ApiProblem.InvalidArgument("connectionId is required.", "connectionId");
        if (string.IsNullOrWhiteSpace(body.Proof))
            return ApiProblem.InvalidArgument($"proof is required: the {ConnectionProof.Target} message of this connection carries it.", "proof");
        if (!proofs.Verify(body.ConnectionId, body.Proof))
            return ApiProblem.Forbidden($"proof does not belong to this connection; use the {ConnectionProof.Target} message it received.");
        group = RealtimeTargets.EventGroup(id.Value);
        return null;
    }
}

/// <summary>The body of a group join or leave: <c>{connectionId, proof}</c>.</summary>
public sealed record GroupMembership(string? ConnectionId, string? Proof);
