using System.Globalization;

namespace Echain.Functions;

public enum HostKind
{
    /// <summary>Kestrel, the Redis Stream queue and the in-process SignalR hub (run.sh, containers).</summary>
    Standalone,
    /// <summary>Started by the Azure Functions host as a custom handler; Service Bus and SignalR Service via bindings.</summary>
    AzureFunctions,
}

/// <summary>
/// Which host this process is, decided once at start-up (<see cref="EchainApp"/>) and registered as a
/// singleton, so nothing else reads the setting again.
/// </summary>
public sealed record EchainHost(HostKind Kind, int CustomHandlerPort = 0)
{
    /// <summary>Set by the Functions host for the handler it starts (environment, or configuration in tests).</summary>
    public const string CustomHandlerPortSetting = "FUNCTIONS_CUSTOMHANDLER_PORT";

    public bool IsAzureFunctions => Kind == HostKind.AzureFunctions;

    public static EchainHost Detect(IConfiguration configuration)
    {
        var value = configuration[CustomHandlerPortSetting];
        // Absent or not a port: standalone, as before this setting existed.
        return !string.IsNullOrWhiteSpace(value)
               && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port)
               && port is >= 0 and <= 65535
            ? new EchainHost(HostKind.AzureFunctions, port)
            : new EchainHost(HostKind.Standalone);
    }
}
