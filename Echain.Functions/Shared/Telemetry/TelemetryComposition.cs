using Azure.Identity;
using Azure.Monitor.OpenTelemetry.AspNetCore;
using Echain.Core;
using Echain.Core.Telemetry;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Echain.Functions.Shared.Telemetry;

/// <summary>
/// OpenTelemetry for both hosts: Echain's meter and activity source, ASP.NET Core, HttpClient (the chain's nodes),
/// Npgsql and StackExchange.Redis; logs through the same pipeline. Exporters: OTLP by the standard variables,
/// Prometheus at <c>/metrics</c> standalone, Azure Monitor on the Functions host.
/// </summary>
public static class TelemetryComposition
{
    /// <summary>Meters beside Echain's: request durations and connections as ASP.NET Core and SignalR count them, and Npgsql's pool.</summary>
    private static readonly string[] PlatformMeters =
    [
        "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Http.Connections", "Npgsql",
    ];

    public static WebApplicationBuilder AddEchainTelemetry(this WebApplicationBuilder builder, EchainHost host)
    {
        var config = builder.Configuration;
        var options = config.BindNow<TelemetryOptions>(TelemetryOptions.Section);
        builder.Services.AddEchainOptions<TelemetryOptions>(TelemetryOptions.Section)
            .Validate(o => o.QueueSampleInterval > TimeSpan.Zero, $"{TelemetryOptions.Section}:QueueSampleInterval must be positive.");

        builder.Logging.AddOpenTelemetry(o =>
        {
            o.IncludeFormattedMessage = true;
            o.IncludeScopes = true;
        });
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("echain", serviceInstanceId: Environment.MachineName)
                .AddAttributes([new("echain.host", host.Kind.ToString())]))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(EchainMetrics.MeterName).AddMeter(PlatformMeters).AddRuntimeInstrumentation();
                if (!host.IsAzureFunctions && options.Prometheus) metrics.AddPrometheusExporter();
            })
            .WithTracing(tracing => tracing
                .AddSource(EchainTracing.SourceName)
                // Probes and scrapes are not what an operator follows; everything else is.
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddRedisInstrumentation());

        if (!string.IsNullOrWhiteSpace(config[TelemetryOptions.OtlpEndpointSetting])) telemetry.UseOtlpExporter();
        if (host.IsAzureFunctions && !string.IsNullOrWhiteSpace(config[TelemetryOptions.AzureMonitorSetting]))
            telemetry.UseAzureMonitor(o =>
            {
                o.ConnectionString = config[TelemetryOptions.AzureMonitorSetting];
                // Application Insights refuses instrumentation-key writes (local auth is off): the app's managed identity signs in.
                if (AzureMonitorClientId(config[TelemetryOptions.AzureMonitorAuthenticationSetting]) is { } clientId)
                    o.Credential = new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId));
            });
        builder.Services.AddHostedService<QueueSampler>();
        // The KPI gauges are made when KpiMetrics is first touched: now, so every one is exported from the start.
        _ = KpiMetrics.WebhookDuration;
        return builder;
    }

    /// <summary><c>GET /metrics</c> on the standalone host (Prometheus' text format), when Echain:Telemetry:Prometheus is on.</summary>
    public static WebApplication MapEchainMetrics(this WebApplication app)
    {
        if (app.Configuration.BindNow<TelemetryOptions>(TelemetryOptions.Section).Prometheus)
            // Prometheus' text exposition format, not an API: not in the OpenAPI document; README, "Operating Echain", lists the metrics.
            app.MapPrometheusScrapingEndpoint(TelemetryOptions.PrometheusPath);
        return app;
    }

    /// <summary>The ClientId of the Functions host's own "ClientId=…;Authorization=AAD" setting, which names the identity to use.</summary>
    private static string? AzureMonitorClientId(string? authentication) =>
        authentication?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2 && pair[0].Equals("ClientId", StringComparison.OrdinalIgnoreCase) && pair[1].Length > 0)
            .Select(pair => pair[1]).FirstOrDefault();

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments(TelemetryOptions.PrometheusPath) || path.StartsWithSegments("/api/health");
}
