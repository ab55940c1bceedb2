using System.Text;
using Echain.Core;
using Echain.Functions.Shared.Apis;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Echain.Functions.Shared.OpenApi;

/// <summary>The document's info (what the problem <c>type</c> URIs mean, how realtime messages arrive) and its security schemes.</summary>
public sealed class ApiDocumentInfo : IOpenApiDocumentTransformer
{
    public const string AdminKeyScheme = "adminKey";
    public const string BearerScheme = "bearer";
    public const string RealtimeTag = "Realtime messages";

    /// <summary>Why the Functions host's document lacks a few routes: the host answers them through invocations, not this app's routes.</summary>
    public const string PayloadModeNote =
        "`POST /api/webhooks/coinbase` and `POST`/`DELETE /api/realtime/groups/{eventId}` are payload-mode " +
        "functions here (the Functions host invokes the handler with their bindings), not routes of the app, so they are not " +
        "listed; their contract (paths, bodies, answers) is the standalone host's, whose document lists them.";

    /// <summary>Every problem type Echain answers (README "Errors: every status"): status, name after <see cref="ApiProblem.TypeBase"/>, when.</summary>
    public static readonly IReadOnlyList<(int Status, string Type, string When)> ProblemTypes =
    [
        (400, "invalid-payload", "webhook: malformed JSON, unknown shape, a field missing or invalid (`field`)"),
        (400, "invalid-argument", "reads, realtime, sign-in, admin: a malformed id, address, `limit`, `cursor`, `after` or body (`field`)"),
        (400, "invalid-request", "any: the body could not be read, or a binder refused a parameter"),
        (401, "invalid-signature", "webhook: `X-Hook0-Signature` missing, malformed, stale (> 5 min) or matching no secret"),
        (401, "sign-in-rejected", "sign-in: the EIP-4361 message or signature is not acceptable (`field`)"),
        (401, "invalid-token", "negotiate, `/api/realtime/me/messages`, admin: token or `X-Echain-Admin-Key` missing, invalid or expired"),
        (403, "forbidden", "realtime groups: the `proof` is not this connection's"),
        (404, "not-found", "unknown event, connection or stored delivery; no route; admin routes without a key; dev tokens off"),
        (405, "method-not-allowed", "a method the route does not serve (`Allow` header and `allow` member)"),
        (409, "delivery-truncated", "delivery replay: the stored body is incomplete"),
        (410, "history-gone", "realtime history: `after` is older than the kept history; refetch"),
        (413, "payload-too-large", "a body over the route's limit"),
        (414, "uri-too-long", "request line over 8 KiB"),
        (415, "unsupported-media-type", "`Content-Type` missing or not JSON"),
        (429, "too-many-requests", "reads, negotiate, sign-in, realtime, webhook: this client went over its rate limit; `Retry-After` says when to retry"),
        (431, "headers-too-large", "headers over 32 KiB or 100 fields"),
        (500, "internal-error", "a bug (logged); a retry may not help"),
        (503, "service-unavailable", "PostgreSQL, Redis, the queue or a node is down; `Retry-After: 5`"),
    ];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Echain API",
            Version = "v1",
            Description = Description(context.ApplicationServices.GetRequiredService<EchainHost>()),
        };
        // Relative to the document's own origin: the generator would name the host this request reached, which under the
        // Functions host is the handler's loopback address, not the one clients (and Scalar's "try it") call.
        document.Servers = [new OpenApiServer { Url = "/", Description = "This host" }];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[AdminKeyScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = AdminApi.KeyHeader,
            Description = "Echain:Admin:Key. Without a configured key the admin routes answer 404.",
        };
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http, Scheme = "bearer", BearerFormat = "JWT",
            Description = "A user token from POST /api/auth/verify (wallet sign-in) or POST /api/dev/token (development).",
        };
        document.Tags ??= new HashSet<OpenApiTag>();
        document.Tags.Add(new OpenApiTag { Name = RealtimeTag, Description = RealtimeMessageComponents.HowToReceive });
        return Task.CompletedTask;
    }

    private static string Description(EchainHost host)
    {
        var text = new StringBuilder();
        text.AppendLine("Echain's HTTP API: the Coinbase CDP webhook, cached reads (ETag / If-None-Match), realtime negotiate, groups and");
        text.AppendLine("resume, wallet sign-in, health and the admin routes. uint256 ids and amounts are decimal strings, addresses lowercase,");
        text.AppendLine("times ISO-8601 UTC.");
        if (host.IsAzureFunctions)
        {
            text.AppendLine();
            text.AppendLine($"**This is the Azure Functions host's document.** {PayloadModeNote}");
        }
        text.AppendLine();
        text.AppendLine("## Problem types");
        text.AppendLine();
        text.AppendLine($"Every error is `{ApiProblem.ContentType}` (RFC 7807, schema `EchainProblem`) with `type` `{ApiProblem.TypeBase}<type>`:");
        text.AppendLine();
        text.AppendLine("| status | type | when |");
        text.AppendLine("|---|---|---|");
        foreach (var (status, type, when) in ProblemTypes) text.AppendLine($"| {status} | `{type}` | {when} |");
        text.AppendLine();
        text.AppendLine("## Realtime messages");
        text.AppendLine();
        text.AppendLine(RealtimeMessageComponents.HowToReceive);
        return text.ToString();
    }
}
