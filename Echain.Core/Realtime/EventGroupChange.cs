using Echain.Core.Reads;

namespace Echain.Core.Realtime;

/// <summary>
/// The check both hosts make before adding a connection to an event group or removing it: the same
/// problem for the same bad request, whichever host answers.
/// </summary>
public static class EventGroupChange
{
    /// <summary>The problem to answer, or null and the group name (<c>event-{id}</c>, id canonical).</summary>
    public static ApiProblem? Check(string eventId, string? connectionId, out string group)
    {
        group = "";
        if (!TicketedEventId.TryParse(eventId, out var id)) return ApiProblem.BadEventId(eventId);
        if (string.IsNullOrWhiteSpace(connectionId)) return ApiProblem.InvalidArgument("connectionId is required.", "connectionId");
        group = RealtimeTargets.EventGroup(id.Value);
        return null;
    }
}

/// <summary>The body of a group join or leave: <c>{connectionId}</c>.</summary>
public sealed record GroupMembership(string ConnectionId);
