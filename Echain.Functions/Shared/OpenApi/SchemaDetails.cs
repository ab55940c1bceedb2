using Echain.Functions.Shared.Apis;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Echain.Functions.Shared.OpenApi;

/// <summary>Schema facts the types do not carry: the problem members always present, and the <c>cdp</c> member health adds.</summary>
public sealed class SchemaDetails : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(EchainProblem))
            schema.Required = new HashSet<string> { "type", "title", "status" };
        else if (type == typeof(HealthApi.Health) && schema.Properties is { } properties)
            // Added by a filter (CdpHealthMember), so the record does not have it.
            properties[CdpHealthMember.Name] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object | JsonSchemaType.Null,
                Description = "The latest health.status.updated CDP sent (status, service, occurredAt, receivedAt, eventId); null when none arrived or Redis is down.",
            };
        return Task.CompletedTask;
    }
}
