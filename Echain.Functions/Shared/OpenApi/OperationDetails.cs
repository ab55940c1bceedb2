using Echain.Core;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Echain.Functions.Shared.OpenApi;

/// <summary>A request header a route reads (e.g. the webhook's X-Hook0-Signature), for the document.</summary>
public sealed record RequestHeader(string Name, bool Required, string Description);

/// <summary>
/// What the generator cannot see from the handlers: the credential (security scheme) each route reads, request headers,
/// the ETag / If-None-Match of cached reads, and the 500 and 503 problems any route may answer (<c>ExceptionProblems</c>).
/// </summary>
public sealed class OperationDetails : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var document = context.Document!;
        operation.Responses ??= new OpenApiResponses();
        operation.Parameters ??= [];

        foreach (var header in metadata.OfType<RequestHeader>())
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = header.Name, In = ParameterLocation.Header, Required = header.Required, Description = header.Description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });

        foreach (var credential in metadata.OfType<RequiredCredential>())
        {
            var scheme = credential.Credential == Credential.AdminKey ? ApiDocumentInfo.AdminKeyScheme : ApiDocumentInfo.BearerScheme;
            operation.Security ??= [];
            operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(scheme, document)] = [] });
            // An empty requirement: calling without the credential is allowed too (anonymous negotiate).
            if (credential.Optional) operation.Security.Add(new OpenApiSecurityRequirement());
        }

        if (metadata.OfType<ConditionalRead>().Any()) DescribeConditionalRead(operation);

        AddProblem(operation, document, StatusCodes.Status500InternalServerError, "A bug; the exception is logged, the answer is fixed text.");
        AddProblem(operation, document, StatusCodes.Status503ServiceUnavailable,
            "A dependency (PostgreSQL, Redis, the queue, a node) is down; retry after Retry-After seconds.");
        foreach (var (status, response) in operation.Responses)
            if (response is OpenApiResponse { Content: { } content } concrete && content.ContainsKey(ApiProblem.ContentType))
            {
                concrete.Description = ProblemDescription(status, concrete.Description);
                if (status == "503") AddHeader(concrete, "Retry-After", "Seconds to wait before retrying (5).");
            }
        return Task.CompletedTask;
    }

    private static void DescribeConditionalRead(OpenApiOperation operation)
    {
        operation.Parameters!.Add(new OpenApiParameter
        {
            Name = "If-None-Match", In = ParameterLocation.Header, Required = false,
            Description = "An ETag this read answered before: 304 without a body while it is still current.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String },
        });
        if (operation.Responses!.TryGetValue("200", out var ok) && ok is OpenApiResponse okResponse)
        {
            AddHeader(okResponse, "ETag", "Strong ETag of this body; send it back as If-None-Match.");
            AddHeader(okResponse, "Cache-Control", "no-cache: revalidate with If-None-Match.");
            AddHeader(okResponse, "X-Cache", "hit, miss or bypass: whether Redis answered (bypass: Redis is down, PostgreSQL answered).");
        }
        if (operation.Responses.TryGetValue("304", out var notModified) && notModified is OpenApiResponse notModifiedResponse)
        {
            notModifiedResponse.Description = "Not modified: If-None-Match names the current ETag; no body.";
            AddHeader(notModifiedResponse, "ETag", "The current ETag.");
        }
    }

    private static void AddProblem(OpenApiOperation operation, OpenApiDocument document, int status, string description)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.ContainsKey(key)) return;
        operation.Responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                [ApiProblem.ContentType] = new() { Schema = new OpenApiSchemaReference(nameof(EchainProblem), document) },
            },
        };
    }

    /// <summary>The problem types of this status, so each response says which <c>type</c> URIs it may carry.</summary>
    private static string ProblemDescription(string status, string? current)
    {
        var types = ApiDocumentInfo.ProblemTypes.Where(p => p.Status.ToString(System.Globalization.CultureInfo.InvariantCulture) == status)
            .Select(p => $"`{p.Type}`").ToList();
        var text = types.Count == 0 ? "a problem." : $"a problem, `type` {ApiProblem.TypeBase}… one of {string.Join(", ", types)}.";
        return string.IsNullOrEmpty(current) ? text : $"{current}: {text}";
    }

    private static void AddHeader(OpenApiResponse response, string name, string description)
    {
        response.Headers ??= new Dictionary<string, IOpenApiHeader>();
        response.Headers[name] = new OpenApiHeader { Description = description, Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
    }
}
