using System.Security.Cryptography;
using System.Text;
using Echain.Core.Queue;
using Echain.Functions.Shared.Http;
using Echain.Functions.Shared.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Echain.Functions.Shared.Apis;

/// <summary>
/// The on-call engineer's routes: what failed and why, and a replay once the cause is fixed. On both hosts; the
/// dead letters are the host's (<see cref="IDeadLetterQueue"/>: the Redis dead-letter stream, or the Service Bus
/// dead-letter sub-queue). Every route requires X-Echain-Admin-Key = Echain:Admin:Key; without a configured key
/// they do not exist (404).
/// </summary>
public static class AdminApi
{
    public const string KeyHeader = "X-Echain-Admin-Key";
    public const string Prefix = "/api/admin";

    /// <summary>The <c>/api/admin</c> group, behind the admin key: every admin area maps its routes on it.</summary>
    public static RouteGroupBuilder MapAdminGroup(this IEndpointRouteBuilder app) =>
        app.MapGroup(Prefix).AddEndpointFilter(RequireAdminKey).RequiresAdminKey().ProducesProblems(401, 404);

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapAdminGroup().WithTags("Admin: dead letters");
        admin.MapGet("/dead-letters", ListDeadLettersAsync).ProducesProblems(400);
        admin.MapPost("/dead-letters/replay", ReplayDeadLettersAsync).ProducesProblems(400);
        return app;
    }

    public sealed record ReplayReceipt(int Replayed);

    public static async Task<Results<Ok<IReadOnlyList<DeadLetter>>, ApiProblemResult>> ListDeadLettersAsync(
        string? limit, IDeadLetterQueue deadLetters, CancellationToken ct)
    {
        if (!TryLimit(limit, out var max)) return BadLimit("limit");
        return TypedResults.Ok(await deadLetters.ListAsync(max, ct));
    }

    public static async Task<Results<Ok<ReplayReceipt>, ApiProblemResult>> ReplayDeadLettersAsync(
        string? max, IDeadLetterQueue deadLetters, CancellationToken ct)
    {
        if (!TryLimit(max, out var count)) return BadLimit("max");
        return TypedResults.Ok(new ReplayReceipt(await deadLetters.ReplayAsync(count, ct)));
    }

    private static bool TryLimit(string? text, out int value)
    {
        value = 100;
        return string.IsNullOrEmpty(text) || (int.TryParse(text, out value) && value is >= 1 and <= 1000);
    }

    private static ApiProblemResult BadLimit(string field) => Problems.BadRequest($"{field} must be an integer from 1 to 1000.", field);

    private static async ValueTask<object?> RequireAdminKey(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var configured = context.HttpContext.RequestServices.GetRequiredService<IOptions<AdminOptions>>().Value.Key;
        if (string.IsNullOrEmpty(configured)) return TypedResults.NotFound();
        var given = context.HttpContext.Request.Headers[KeyHeader].ToString();
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(configured)))
            return Problems.Unauthorized($"{KeyHeader} is missing or wrong.");
        return await next(context);
    }
}

/// <summary>Section "Echain:Admin".</summary>
public sealed class AdminOptions
{
    public const string Section = "Echain:Admin";

    /// <summary>X-Echain-Admin-Key for the admin routes; empty: the routes answer 404.</summary>
    public string Key { get; set; } = "";
}
