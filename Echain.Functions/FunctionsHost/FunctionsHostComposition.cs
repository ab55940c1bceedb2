using System.Globalization;
using Echain.Core.Webhooks;

namespace Echain.Functions.FunctionsHost;

/// <summary>The Azure Functions custom-handler host: detection, services and the payload-mode invocation routes.</summary>
public static class FunctionsHostComposition
{
    /// <summary>Set by the Functions host for the handler it starts (read from configuration, so environment or command line).</summary>
    public const string PortSetting = "FUNCTIONS_CUSTOMHANDLER_PORT";

    public static bool TryGetCustomHandlerPort(IConfiguration config, out int port)
    {
        port = 0;
        var value = config[PortSetting];
        return !string.IsNullOrWhiteSpace(value)
               && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out port)
               && port is >= 0 and <= 65535;
    }

    /// <summary>
    /// Only what the Functions host needs beyond the Core: no Redis Stream queue or consumer (Service Bus does
    /// that through the bindings) and no in-process hub (SignalR Service does). The webhook ingest is made per
    /// invocation around that invocation's <c>outEvents</c> output.
    /// </summary>
    public static WebApplicationBuilder AddEchainFunctionsHost(this WebApplicationBuilder builder)
    {
        if (!TryGetCustomHandlerPort(builder.Configuration, out var port))
            throw new InvalidOperationException($"{PortSetting} is not set to a port number.");
        // Loopback only: the Functions host is the only caller.
        builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        var services = builder.Services;
        // The shared ingest singleton needs the standalone queue; here each invocation builds its own.
        var shared = services.Where(d => d.ServiceType == typeof(CoinbaseWebhookIngest)).ToArray();
        foreach (var descriptor in shared) services.Remove(descriptor);
        services.AddSingleton<WebhookIngestFactory>();
        return builder;
    }

    /// <summary>
    /// <c>POST /{FunctionName}</c> for every payload-mode function (see functions/README.md), and <c>GET /</c>,
    /// which the host polls until the handler answers (it only listens once migrations are done).
    /// </summary>
    public static WebApplication MapFunctionsInvocations(this WebApplication app)
    {
        app.MapGet("/", () => TypedResults.Ok());
        Invocation(app, CoinbaseWebhookFunction.Name, CoinbaseWebhookFunction.RunAsync);
        Invocation(app, ProcessChainEventFunction.Name, ProcessChainEventFunction.RunAsync);
        Invocation(app, NegotiateFunction.Name, NegotiateFunction.RunAsync);
        Invocation(app, JoinEventGroupFunction.Name, JoinEventGroupFunction.Run);
        Invocation(app, LeaveEventGroupFunction.Name, LeaveEventGroupFunction.Run);
        return app;
    }

    private static void Invocation(WebApplication app, string functionName, Delegate handler) =>
        app.MapPost("/" + functionName, handler)
            .WithName(functionName)
            .WithMetadata(new CustomHandlerFunctionMetadata(functionName))
            .DisableAntiforgery();
}
