using Echain.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Echain.Tests.Web;

/// <summary>
/// <see cref="WebAppFixture"/> with the app at the log levels it ships with (appsettings.json, not the tests' quieter
/// ones) plus the request lines and every line it logs captured in <see cref="Log"/>.
/// </summary>
public sealed class LoggedWebAppFixture : WebAppFixture
{
    public LoggedWebAppFixture() : this(new EchainTestHost(), new LogCapture()) { }

    private LoggedWebAppFixture(EchainTestHost host, LogCapture log) : base(Configure(host, log)) => Log = log;

    public LogCapture Log { get; }

    private static EchainTestHost Configure(EchainTestHost host, LogCapture log)
    {
        host.Settings["Logging:LogLevel:Default"] = null;
        // Request lines switched on, as an operator would to debug: the worst case for what the log may contain.
        host.Settings["Logging:LogLevel:Microsoft.AspNetCore.HttpLogging"] = "Information";
        host.ConfigureApp = builder => builder.Logging.AddProvider(log);
        return host;
    }
}
