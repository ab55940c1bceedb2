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

    /// <summary>
    /// Runs <paramref name="start"/> on a free port, and on a new one when it fails with
    /// <typeparamref name="TStartFailure"/> (most likely the port was taken between probing and binding),
    /// at most <paramref name="attempts"/> times; returns the port it started on.
    /// </summary>
    public static int StartOnFree<TStartFailure>(int attempts, Action<int> start) where TStartFailure : Exception
    {
        for (var attempt = 1; ; attempt++)
        {
            var port = Free();
            try
            {
                start(port);
                return port;
            }
            catch (TStartFailure) when (attempt < attempts)
            {
                // Try another port.
            }
        }
    }
}
