using System.Globalization;
using Azure.Core;
using Azure.Messaging.ServiceBus;
using Echain.Core.Queue;
using Echain.Functions.AzureFunctions.Messaging;
using Echain.Functions.Shared;
using Echain.Functions.Shared.Apis;
using Echain.Functions.Shared.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;

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
        AddServiceBus(builder.Services, builder.Configuration);
        AddSignalRService(builder.Services);
        return builder;
    }

    /// <summary>
    /// Service Bus beyond the bindings, over the bindings' own connection: retry copies, the dead-letter sub-queue for
    /// the admin routes, and <see cref="IChainEventQueue"/> for routes without an output binding. TryAdd: a test may
    /// put its own <see cref="ServiceBusClient"/> in first (no Service Bus runs here).
    /// </summary>
    private static void AddServiceBus(IServiceCollection services, IConfiguration configuration)
    {
        services.AddEchainOptions<ServiceBusOptions>(ServiceBusOptions.Section);
        services.TryAddSingleton(_ => ServiceBusClientFactory.Create(configuration));
        services.AddSingleton<ServiceBusQueue>();
        services.AddSingleton<ChainEventRetries>();
        services.AddSingleton<DeadLetterReasons>();
        services.AddSingleton<IDeadLetterQueue, ServiceBusDeadLetterQueue>();
        services.AddSingleton<IChainEventQueue, ServiceBusChainEventQueue>();
    }

    /// <summary>
    /// Negotiate mints SignalR Service connections itself (<see cref="SignalRServiceNegotiation"/>). The identity path's
    /// credential is keyed and TryAdd: a test may put its own in first (no managed identity endpoint runs here).
    /// </summary>
    private static void AddSignalRService(IServiceCollection services)
    {
        services.AddSingleton<SignalRServiceNegotiation>();
        // Resolved only on the identity path, after the connection string was parsed (and refused if unusable) there.
        services.TryAddKeyedSingleton<TokenCredential>(SignalRServiceNegotiation.CredentialKey,
            (sp, _) => SignalRServiceNegotiation.ManagedIdentity(sp.GetRequiredService<SignalRServiceNegotiation>().Connection));
    }

    /// <summary>
    /// <c>POST /{FunctionName}</c> for every payload-mode function of <see cref="FunctionCatalog"/>, and <c>GET /</c>,
    /// which the host polls until the handler answers (it only listens once migrations are done). Forwarded
    /// functions need no route of their own: the host sends them to the app's endpoints on their original path.
    /// </summary>
    public static WebApplication MapAzureFunctions(this WebApplication app)
    {
        // The host's protocol, not the API: left out of the document (the public routes are in it).
        app.MapGet("/", () => TypedResults.Ok()).ExcludeFromDescription();
        // Forwarded like every other /api route (FunctionCatalog: ListDeadLetters, ReplayDeadLetters).
        app.MapAdminApi();
        app.MapNegotiateFunction();
        foreach (var function in FunctionCatalog.All)
            if (function.Handler is { } handler)
            {
                var route = app.MapPost("/" + function.Name, handler)
                    .WithName(function.Name)
                    .WithMetadata(new CustomHandlerFunctionMetadata(function.Name))
                    .DisableAntiforgery()
                    .ExcludeFromDescription();
                if (function.Trigger is HttpTriggerBinding) route.AddEndpointFilter(AnswerFailuresInResponseAsync);
            }
        return app;
    }

    /// <summary>
    /// An HTTP function that throws would fail the invocation, and the Functions host would answer its client a bare
    /// 500: instead the invocation succeeds with no output but <c>res</c>, the problem the standalone host answers for
    /// the same failure (503 with Retry-After for a dependency that is down). Nothing is queued: outEvents is not written.
    /// </summary>
    public static async ValueTask<object?> AnswerFailuresInResponseAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (Exception e) when (e is not OperationCanceledException || !context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            var log = context.HttpContext.RequestServices.GetRequiredService<ILogger<ExceptionProblems>>();
            var problem = ExceptionProblems.Answer(context.HttpContext, e, log);
            return InvocationResult.Ok().Output(BindingNames.Response, HttpOutput.Problem(problem)).Log($"answered {problem.Status}");
        }
    }
}
