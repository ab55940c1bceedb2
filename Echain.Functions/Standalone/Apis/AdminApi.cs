using System.Security.Cryptography;
using System.Text;
using Echain.Functions.Shared.Http;
using Echain.Functions.Standalone.Queue;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Echain.Functions.Standalone.Apis;

/// <summary>
/// The on-call engineer's dead-letter queue: what failed and why, and a replay once the cause is
/// fixed. Standalone only (under Azure, Service Bus Explorer does this for the broker's DLQ).
/// Requires X-Echain-Admin-Key = Echain:Admin:Key; without a configured key the routes do not exist.
/// </summary>
public static class AdminApi
{
    public const string KeyHeader = "X-Echain-Admin-Key";

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").AddEndpointFilter(RequireAdminKey);
        admin.MapGet("/dead-letters", ListDeadLettersAsync);
        admin.MapPost("/dead-letters/replay", ReplayDeadLettersAsync);
        return app;
    }

    public sealed record ReplayReceipt(int Replayed);

    public static async Task<Results<Ok<IReadOnlyList<DeadLetter>>, ApiProblemResult>> ListDeadLettersAsync(
        string? limit, DeadLetterStore deadLetters)
    {
        if (!TryLimit(limit, out var max)) return BadLimit();
        return TypedResults.Ok(await deadLetters.ListAsync(max));
    }

    public static async Task<Results<Ok<ReplayReceipt>, ApiProblemResult>> ReplayDeadLettersAsync(string? max, DeadLetterStore deadLetters)
    {
        if (!TryLimit(max, out var count)) return BadLimit();
        return TypedResults.Ok(new ReplayReceipt(await deadLetters.ReplayAsync(count)));
    }

    private static bool TryLimit(string? text, out int value)
    {
        value = 100;
        return string.IsNullOrEmpty(text) || (int.TryParse(text, out value) && value is >= 1 and <= 1000);
    }

    private static ApiProblemResult BadLimit() => Problems.BadRequest("limit/max must be an integer from 1 to 1000.", "limit");

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

    /// <summary>X-Echain-Admin-Key for the dead-letter routes; empty: the routes answer 404.</summary>
    public string Key { get; set; } = "";
}
