using System.Net;
using System.Net.Sockets;

namespace Echain.LocalServices;

public static class LoopbackPort
{
    /// <summary>
    /// A loopback port that was free a moment ago. Another process may take it before the caller binds,
    /// so starters retry with a new port when the bind fails.
    /// </summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
