using Echain.Core.Reads;
using Echain.Functions.Shared.Http;
using Echain.Functions.Shared.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Echain.Functions.Shared.Apis;

public static class EventsApi
{
    public static IEndpointRouteBuilder MapEventsApi(this IEndpointRouteBuilder app)
    {
        var events = app.MapGroup("/api/events").WithTags("Events").ServesFrontend(FrontendRouteKind.Read);
        events.MapGet("/", ListEventsAsync).ProducesRead<Page<EventView>>().ProducesProblems(400);
        events.MapGet("/{eventId}", GetEventAsync).ProducesRead<EventView>().ProducesProblems(400, 404);
        events.MapGet("/{eventId}/tickets", GetEventTicketsAsync).ProducesRead<Page<TicketView>>().ProducesProblems(400, 404);
        events.MapGet("/{eventId}/activity", GetEventActivityAsync).ProducesRead<Page<ActivityView>>().ProducesProblems(400, 404);
        events.MapGet("/{eventId}/analytics", GetEventAnalyticsAsync).ProducesRead<EventAnalyticsView>().ProducesProblems(400, 404);
        return app;
    }

    public static async Task<Results<CachedJsonResult, ApiProblemResult>> ListEventsAsync(
        string? cursor, string? limit, [AsParameters] ReadServices services)
    {
        if (!PageSize.TryParse(limit, out var size)) return BadLimit();
        return await Cursor(() => services.Reads.ListEventsAsync(cursor, size, services.CancellationToken), "events");
    }

    public static async Task<Results<CachedJsonResult, ApiProblemResult>> GetEventAsync(
        string eventId, [AsParameters] ReadServices services)
    {
        if (!TicketedEventId.TryParse(eventId, out var id)) return Problems.BadEventId(eventId);
        var document = await services.Reads.GetEventAsync(id, services.CancellationToken);
        return document is null ? Problems.NotFound($"Event {id.Value} is not known.") : new CachedJsonResult(document);
    }

    public static async Task<Results<CachedJsonResult, ApiProblemResult>> GetEventTicketsAsync(
        string eventId, string? cursor, string? limit, [AsParameters] ReadServices services)
    {
        if (!TicketedEventId.TryParse(eventId, out var id)) return Problems.BadEventId(eventId);
        if (!PageSize.TryParse(limit, out var size)) return BadLimit();
        return await Cursor(() => services.Reads.GetEventTicketsAsync(id, cursor, size, services.CancellationToken),
            $"Event {id.Value} is not known.");
    }

    public static async Task<Results<CachedJsonResult, ApiProblemResult>> GetEventActivityAsync(
        string eventId, string? cursor, string? limit, [AsParameters] ReadServices services)
    {
        if (!TicketedEventId.TryParse(eventId, out var id)) return Problems.BadEventId(eventId);
        if (!PageSize.TryParse(limit, out var size)) return BadLimit();
        return await Cursor(() => services.Reads.GetEventActivityAsync(id, cursor, size, services.CancellationToken),
            $"Event {id.Value} is not known.");
    }

    public static async Task<Results<CachedJsonResult, ApiProblemResult>> GetEventAnalyticsAsync(
        string eventId, AnalyticsReads analytics, CancellationToken cancellationToken)
    {
        if (!TicketedEventId.TryParse(eventId, out var id)) return Problems.BadEventId(eventId);
        var document = await analytics.GetEventAnalyticsAsync(id, cancellationToken);
        return document is null ? Problems.NotFound($"Event {id.Value} is not known.") : new CachedJsonResult(document);
    }

    internal static ApiProblemResult BadLimit() =>
        Problems.BadRequest($"limit must be an integer from 1 to {TicketReads.MaxPageSize}.", "limit");


    /// <summary>A cursor (or other argument) the repository refuses is the caller's mistake: 400 naming the field, not 500.</summary>
    internal static async Task<Results<CachedJsonResult, ApiProblemResult>> Cursor(Func<Task<CachedJson?>> read, string notFound)
    {
        try
        {
            var document = await read();
            return document is null ? Problems.NotFound(notFound) : new CachedJsonResult(document);
        }
        catch (InvalidReadArgumentException e)
        {
            return Problems.From(e.ToProblem());
        }
    }
}
