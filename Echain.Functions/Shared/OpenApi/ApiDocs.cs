using Echain.Functions.Shared.Http;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Echain.Functions.Shared.OpenApi;

/// <summary>
/// The API description: an OpenAPI 3.1 document generated from the endpoints (their typed results and the metadata of
/// <see cref="ApiResponses"/>), and the Scalar reference that renders it. Both hosts serve both under <c>/api</c> (the
/// Functions host forwards only its route prefix); standalone also serves the document at the conventional <c>/openapi</c>.
/// </summary>
public static class ApiDocs
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/openapi/" + DocumentName + ".json";
    public const string ApiDocumentPath = "/api" + DocumentPath;
    public const string UiPath = "/api/docs";

    public static IServiceCollection AddEchainApiDocs(this IServiceCollection services) =>
        services.AddOpenApi(DocumentName, options =>
        {
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            options.AddDocumentTransformer<ApiDocumentInfo>();
            options.AddDocumentTransformer<RealtimeMessageComponents>();
            options.AddOperationTransformer<OperationDetails>();
            options.AddOperationTransformer<OperationExamples>();
            options.AddOperationTransformer<GraphQLResponses>();
            options.AddSchemaTransformer<SchemaDetails>();
        });

    public static WebApplication MapEchainApiDocs(this WebApplication app, EchainHost host)
    {
        app.MapOpenApi("/api/openapi/{documentName}.json");
        // Under the Functions host the root is the host's (GET / is the readiness probe) and never forwarded.
        if (!host.IsAzureFunctions) app.MapOpenApi("/openapi/{documentName}.json");
        // The bundle (scalar.js) is embedded in Scalar.AspNetCore and served from /api/docs/ by the app itself: no CDN.
        // The fonts would come from Scalar's CDN and telemetry, the agent and MCP would call scalar.com: all off.
        app.MapScalarApiReference(UiPath, options => options
            .WithTitle("Echain API")
            .WithOpenApiRoutePattern("/api/openapi/{documentName}.json")
            .AddDocument(DocumentName)
            .DisableDefaultFonts()
            .DisableTelemetry()
            .DisableAgent()
            .DisableMcp());
        // The Functions host forwards the whole mount (ApiDocs: docs/{*path}); Scalar's own, more specific routes answer
        // the page and its files, and anything else under it is a problem+json 404 like any unknown path.
        app.MapGet(UiPath + "/{*path}", () => Problems.NotFound("There is nothing at this path of the API reference; open /api/docs."))
            .ExcludeFromDescription();
        return app;
    }
}
