using System.Text.Json;

namespace Echain.Core;

/// <summary>
/// RFC 7807 problem details, host-agnostic: both hosts answer with <see cref="ToJson"/> as
/// <see cref="ContentType"/>, so a client sees byte-identical errors whichever host it talks to.
/// </summary>
public sealed record ApiProblem(
    int Status,
    string Type,
    string Title,
    string? Detail = null,
    IReadOnlyDictionary<string, string>? Extensions = null)
{
    public const string ContentType = "application/problem+json";
    public const string TypeBase = "https://echain.dev/problems/";

    public static ApiProblem BadRequest(string detail, string? field = null) =>
        new(400, TypeBase + "invalid-payload", "The webhook payload is invalid.", detail,
            field is null ? null : new Dictionary<string, string> { ["field"] = field });

    /// <summary>A route or query argument of a read or realtime endpoint is malformed.</summary>
    public static ApiProblem InvalidArgument(string detail, string field) =>
        new(400, TypeBase + "invalid-argument", "Invalid argument.", detail,
            new Dictionary<string, string> { ["field"] = field });

    public static ApiProblem BadEventId(string eventId) =>
        InvalidArgument($"'{eventId}' is not an event id (a uint256 in decimal or 0x hex).", "eventId");

    public static ApiProblem BadTokenId(string tokenId) =>
        InvalidArgument($"'{tokenId}' is not a token id (a uint256 in decimal or 0x hex).", "tokenId");

    public static ApiProblem InvalidToken(string detail) =>
        new(401, TypeBase + "invalid-token", "Invalid token.", detail);

    public static ApiProblem InvalidSignature(string detail) =>
        new(401, TypeBase + "invalid-signature", "The webhook signature is invalid.", detail);

    /// <summary>The caller is known but may not do this (e.g. change another client's group membership).</summary>
    public static ApiProblem Forbidden(string detail) =>
        new(403, TypeBase + "forbidden", "Forbidden.", detail);

    public static ApiProblem NotFound(string detail) =>
        new(404, TypeBase + "not-found", "Not found.", detail);

    /// <summary>A resume position the realtime history no longer (or never) covers: the client must refetch.</summary>
    public static ApiProblem HistoryGone(string detail) =>
        new(410, TypeBase + "history-gone", "The messages after this position are no longer kept.", detail);

    public static ApiProblem MethodNotAllowed(string method, string allowed = "POST") =>
        new(405, TypeBase + "method-not-allowed", "Method not allowed.",
            $"{method} is not allowed here; use {allowed}.",
            new Dictionary<string, string> { ["allow"] = allowed });

    public static ApiProblem PayloadTooLarge(long maxBytes) =>
        new(413, TypeBase + "payload-too-large", "The request body is too large.",
            $"The body exceeds {maxBytes} bytes.");

    public static ApiProblem UnsupportedMediaType(string? contentType) =>
        new(415, TypeBase + "unsupported-media-type", "Unsupported media type.",
            contentType is null or ""
                ? "Content-Type is missing; send application/json."
                : $"Content-Type '{contentType}' is not JSON; send application/json.");

    public static ApiProblem ServiceUnavailable(string detail) =>
        new(503, TypeBase + "service-unavailable", "Service temporarily unavailable.", detail);

    /// <summary>Seconds a client should wait before retrying a 503: outages of PostgreSQL, Redis or a node are short as a rule.</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>A rate limit refused the request: seconds until its window ends, when the same client may try again.</summary>
    public static ApiProblem TooManyRequests(int retryAfterSeconds) =>
        new(429, TypeBase + "too-many-requests", "Too many requests.",
            "This client sent more requests of this kind than its limit allows; retry after the time in Retry-After.")
        { RetryAfterSecondsOverride = Math.Max(1, retryAfterSeconds) };

    /// <summary>Set only by <see cref="TooManyRequests"/>: the limiter knows when its window ends.</summary>
    private int? RetryAfterSecondsOverride { get; init; }

    /// <summary>The Retry-After header both hosts send with this problem (every 503 and 429), null for the others.</summary>
    public string? RetryAfter => RetryAfterSecondsOverride is { } seconds
        ? seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : Status == 503 ? RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) : null;

    /// <summary>A bug or an unforeseen failure: the detail is fixed, the exception stays in the log.</summary>
    public static ApiProblem InternalError() =>
        new(500, TypeBase + "internal-error", "Internal server error.",
            "The request failed unexpectedly; it was logged. Retrying may not help.");

    /// <summary>A request the server could not read as HTTP asked for (a body cut short, a malformed invocation).</summary>
    public static ApiProblem InvalidRequest(string detail) =>
        new(400, TypeBase + "invalid-request", "The request is malformed.", detail);

    public static ApiProblem UriTooLong(int maxBytes) =>
        new(414, TypeBase + "uri-too-long", "The request line is too long.",
            $"The request line (method, target and version) exceeds {maxBytes} bytes.");

    public static ApiProblem HeadersTooLarge(int maxBytes, int maxCount) =>
        new(431, TypeBase + "headers-too-large", "The request headers are too large.",
            $"The request headers exceed {maxBytes} bytes or {maxCount} fields.");

    /// <summary>Any other status an empty answer had (e.g. from a framework component), with its standard phrase.</summary>
    public static ApiProblem OfStatus(int status, string title) =>
        new(status, TypeBase + (status >= 500 ? "internal-error" : "invalid-request"), title);

    /// <summary>Serializes with the RFC 7807 member names; extensions become top-level members.</summary>
    public byte[] ToJson()
    {
        using var buffer = new MemoryStream();
        // Relaxed escaping: problem+json is never embedded in HTML, and "'abc'" reads better than "\u0027abc\u0027".
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            WriteTo(writer);
        return buffer.ToArray();
    }

    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", Type);
        writer.WriteString("title", Title);
        writer.WriteNumber("status", Status);
        if (Detail is not null) writer.WriteString("detail", Detail);
        if (Extensions is not null)
            foreach (var (name, value) in Extensions)
            {
                // The standard members win: an extension must never overwrite them.
                if (name is "type" or "title" or "status" or "detail") continue;
                writer.WriteString(name, value);
            }
        writer.WriteEndObject();
    }
}
