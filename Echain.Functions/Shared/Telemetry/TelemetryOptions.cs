namespace Echain.Functions.Shared.Telemetry;

/// <summary>
/// Section "Echain:Telemetry". The exporters follow the platform's own settings: OTLP when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (OpenTelemetry's standard variables, protocol and headers included),
/// Azure Monitor on the Functions host when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set.
/// </summary>
public sealed class TelemetryOptions
{
    public const string Section = "Echain:Telemetry";
    public const string PrometheusPath = "/metrics";
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string AzureMonitorSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    /// <summary>"ClientId={id};Authorization=AAD": the managed identity that writes to Application Insights (infra sets it).</summary>
    public const string AzureMonitorAuthenticationSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>Serve <c>GET /metrics</c> (Prometheus text) on the standalone host.</summary>
    public bool Prometheus { get; set; } = true;

    /// <summary>How often the host samples the queue (length, oldest message, dead letters) for its gauges.</summary>
    public TimeSpan QueueSampleInterval { get; set; } = TimeSpan.FromSeconds(5);
}
