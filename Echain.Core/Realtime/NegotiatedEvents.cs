using Echain.Core.Reads;

namespace Echain.Core.Realtime;

/// <summary>
/// The event groups a client names at negotiate (<c>POST /api/negotiate?events=7,8</c>), so the standalone hub adds
/// its connection to them as it connects, in the same round trip. Each id follows the rule of a group join
/// (<see cref="EventGroupChange"/>); event groups are public, so naming them needs no proof. Both hosts check the
/// list the same way and answer the same 400 for a bad one, so one page works on both.
/// </summary>
public static class NegotiatedEvents
{
    /// <summary>The query parameter, on <c>/api/negotiate</c> and on the hub URL negotiate answers.</summary>
    public const string Query = "events";

    /// <summary>More than this many ids is refused: a page shows a handful of events, and each one is a group add.</summary>
    public const int MaxEvents = 20;

    /// <summary>The parameter's description in the API document (both hosts).</summary>
    public const string Description =
        "Comma-separated event ids (at most 20) whose `event-{id}` groups the connection joins as it connects, before its " +
        "`connection-proof` message (which lists them in `events`). Standalone host only: the Functions host checks the list " +
        "alike but joins nothing (its proof has no `events`); join there with POST /api/realtime/groups/{eventId}.";

    /// <summary>The problem to answer, or null and the canonical ids (duplicates removed, in the order given).</summary>
    public static ApiProblem? Parse(string? events, out IReadOnlyList<string> eventIds)
    {
        eventIds = [];
        if (string.IsNullOrEmpty(events)) return null;
        var parts = events.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length > MaxEvents)
            return ApiProblem.InvalidArgument($"{Query} names {parts.Length} events; at most {MaxEvents} can be joined at negotiate.", Query);
        var ids = new List<string>(parts.Length);
        foreach (var part in parts)
        {
            if (!TicketedEventId.TryParse(part, out var id))
                return ApiProblem.InvalidArgument($"'{part}' in {Query} is not an event id (a uint256 in decimal or 0x hex).", Query);
            if (!ids.Contains(id.Value)) ids.Add(id.Value);
        }
        eventIds = ids;
        return null;
    }

    /// <summary>The query value for canonical ids: what the hub URL carries.</summary>
    public static string Format(IReadOnlyList<string> eventIds) => string.Join(',', eventIds);
}
