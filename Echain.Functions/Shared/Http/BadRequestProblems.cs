using System.Text.Json;
using System.Text.RegularExpressions;
using Echain.Core;

namespace Echain.Functions.Shared.Http;

/// <summary>
/// A request Kestrel or a minimal-API binder refused, as a fixed sentence per kind. Their messages name C# types and
/// parameters ("Failed to read parameter \"GroupMembership body\" from the request body as JSON."), so they go to the
/// log only: the answer says what was wrong in the request's own terms, with the JSON member as <c>field</c> when
/// the serializer knows it.
/// </summary>
public static partial class BadRequestProblems
{
    public const string InvalidJson = "The body is not valid JSON for this route, or a value in it has the wrong type.";
    public const string MissingBody = "This route needs a JSON body; none was sent.";
    public const string WrongForm = "A route or query value has the wrong form for this route.";
    public const string Unreadable = "The request body could not be read: it ended before its Content-Length, or its framing is invalid.";

    public static ApiProblem For(BadHttpRequestException bad, HttpRequest? request)
    {
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
            return new ApiProblem(413, ApiProblem.TypeBase + "payload-too-large", "The request body is too large.", "The body exceeds this route's limit.");
        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType) return ApiProblem.UnsupportedMediaType(request?.ContentType);
        var status = bad.StatusCode is >= 400 and < 500 ? bad.StatusCode : StatusCodes.Status400BadRequest;
        if (bad.InnerException is JsonException json)
            return Invalid(status, InvalidJson, Member(json.Path));
        // The binders' own wording decides the kind (RequestDelegateFactory's log messages); it is never echoed.
        if (bad.Message.StartsWith("Required parameter", StringComparison.Ordinal) || bad.Message.StartsWith("Implicit body", StringComparison.Ordinal))
            return Invalid(status, request is { ContentLength: null or 0 } && !request.Headers.TransferEncoding.Any() ? MissingBody : WrongForm, null);
        if (bad.Message.StartsWith("Failed to bind parameter", StringComparison.Ordinal)) return Invalid(status, WrongForm, null);
        return Invalid(status, Unreadable, null);
    }

    private static ApiProblem Invalid(int status, string detail, string? field) =>
        ApiProblem.InvalidRequest(detail) with
        {
            Status = status,
            Extensions = field is null ? null : new Dictionary<string, string> { ["field"] = field },
        };

    /// <summary>"$.connectionId" → "connectionId": the JSON member at fault, a public name; null for the root or anything odd.</summary>
    private static string? Member(string? path) =>
        path is not null && JsonMember().Match(path) is { Success: true } match ? match.Groups["member"].Value : null;

    [GeneratedRegex(@"^\$\.(?<member>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)$")]
    private static partial Regex JsonMember();
}
