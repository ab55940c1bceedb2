namespace Echain.Core.Chain.Rpc;

/// <summary>
/// One JSON-RPC node. Provider URLs carry their API key in the userinfo, path or query, so the URL itself is only
/// given to the RPC client; everything that is shown (logs, errors, <see cref="ToString"/>) is scheme://host[:port].
/// </summary>
public sealed class RpcEndpoint
{
    private RpcEndpoint(Uri url, int index)
    {
        Url = url;
        Index = index;
        Display = Redact(url);
    }

    /// <summary>The full URL, credentials included: for the RPC client only, never for output.</summary>
    internal Uri Url { get; }

    /// <summary>Position in Echain:Chain:RpcUrls, so logs can say which node without showing it.</summary>
    public int Index { get; }

    /// <summary>scheme://host[:port], safe to print.</summary>
    public string Display { get; }

    public override string ToString() => Display;

    public static bool TryParse(string? value, int index, out RpcEndpoint endpoint)
    {
        endpoint = null!;
        if (!Uri.TryCreate(value?.Trim(), UriKind.Absolute, out var url)
            || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps) || url.Host.Length == 0)
            return false;
        endpoint = new RpcEndpoint(url, index);
        return true;
    }

    /// <summary>scheme://host[:port] of any absolute URL, or null when the value is not one (then nothing of it is safe to show).</summary>
    public static string? Redact(string? value) =>
        Uri.TryCreate(value?.Trim(), UriKind.Absolute, out var url) && url.Host.Length > 0 ? Redact(url) : null;

    private static string Redact(Uri url) => url.IsDefaultPort ? $"{url.Scheme}://{url.Host}" : $"{url.Scheme}://{url.Host}:{url.Port}";
}
