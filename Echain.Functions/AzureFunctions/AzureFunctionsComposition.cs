using System.Globalization;

namespace Echain.Functions.AzureFunctions;

/// <summary>The Azure Functions custom-handler host: its services and the payload-mode invocation routes.</summary>
public static class AzureFunctionsComposition
{
    /// <summary>
    /// Only what the Functions host needs beyond the shared services: no Redis Stream queue or consumer (Service
    /// Bus does that through the bindings) and no in-process hub (SignalR Service does). The webhook ingest is
    /// made per invocation around that invocation's <c>outEvents</c> output.
    /// </summary>
    public static WebApplicationBuilder AddEchainAzureFunctions(this WebApplicationBuilder builder, EchainHost host)
    {
        // Loopback only: the Functions host is the only caller.
        builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{host.CustomHandlerPort}"));
        builder.Services.AddSingleton<WebhookIngestFactory>();
        return builder;
    }

    /// <summary>
    /// <c>POST /{FunctionName}</c> for every payload-mode function of <see cref="FunctionCatalog"/>, and <c>GET /</c>,
    /// which the host polls until the handler answers (it only listens once migrations are done). Forwarded
    /// functions need no route of their own: the host sends them to the app's endpoints on their original path.
    /// </summary>
    public static WebApplication MapAzureFunctions(this WebApplication app)
    {
        app.MapGet("/", () => TypedResults.Ok());
        foreach (var function in FunctionCatalog.All)
            if (function.Handler is { } handler)
                app.MapPost("/" + function.Name, handler)
                    .WithName(function.Name)
                    .WithMetadata(new CustomHandlerFunctionMetadata(function.Name))
                    .DisableAntiforgery();
        return app;
    }
}
