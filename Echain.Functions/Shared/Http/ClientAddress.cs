using System.Net;
using System.Net.Sockets;

namespace Echain.Functions.Shared.Http;

/// <summary>Who a request comes from, as a rate limit partition: an IPv4 address, or an IPv6 /64 (one host's subnet).</summary>
public static class ClientAddress
{
    public const string ForwardedForHeader = "X-Forwarded-For";

    /// <param name="trustForwardedFor">take the last X-Forwarded-For entry: the address the nearest (trusted) proxy saw.</param>
    public static string Of(HttpContext context, bool trustForwardedFor)
    {
        if (trustForwardedFor && Last(context.Request.Headers[ForwardedForHeader].ToString()) is { } forwarded)
            return Partition(forwarded);
        return context.Connection.RemoteIpAddress is { } remote ? Partition(remote) : "unknown";
    }

    /// <summary>The last entry of an X-Forwarded-For value; Azure's front end writes <c>address:port</c>, others the bare address.</summary>
    private static IPAddress? Last(string header)
    {
        var comma = header.LastIndexOf(',');
        var entry = (comma < 0 ? header : header[(comma + 1)..]).Trim();
        if (entry.Length == 0) return null;
        if (IPAddress.TryParse(entry, out var address)) return address;
        return IPEndPoint.TryParse(entry, out var endPoint) ? endPoint.Address : null;
    }

    /// <summary>An IPv6 host usually owns a whole /64: one partition per /64, or it could spread over 2^64 of them.</summary>
    private static string Partition(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
