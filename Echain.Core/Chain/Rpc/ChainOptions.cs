namespace Echain.Core.Chain.Rpc;

/// <summary>Section "Echain:Chain": the nodes Echain reads the chain from, and which network they serve.</summary>
public sealed class ChainOptions
{
    public const string Section = "Echain:Chain";

    /// <summary>JSON-RPC URLs, tried in order; the next one answers when one fails or times out. Often carry an API key.</summary>
    public List<string> RpcUrls { get; set; } = [];

    /// <summary>The CDP network name of the chain the nodes serve (as webhooks name it).</summary>
    public string Network { get; set; } = "base-sepolia";

    /// <summary>How long one call may take on one node before the next node is asked.</summary>
    public TimeSpan RpcTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>False, with the offending setting and never the URL's secrets, when a setting cannot work.</summary>
    public bool IsValid(out string? error)
    {
        error = null;
        for (var i = 0; i < RpcUrls.Count; i++)
            if (!RpcEndpoint.TryParse(RpcUrls[i], i, out _))
            {
                var shown = RpcEndpoint.Redact(RpcUrls[i]);
                error = $"{Section}:{nameof(RpcUrls)}:{i}{(shown is null ? "" : $" ({shown})")} is not an absolute http(s) URL.";
                return false;
            }
        if (string.IsNullOrWhiteSpace(Network))
            error = $"{Section}:{nameof(Network)} is empty; it names the chain the nodes serve (e.g. base-sepolia).";
        else if (RpcTimeout <= TimeSpan.Zero)
            error = $"{Section}:{nameof(RpcTimeout)} = {RpcTimeout} must be positive.";
        return error is null;
    }

    /// <summary>The configured nodes in order (call after validation).</summary>
    public IReadOnlyList<RpcEndpoint> Endpoints() =>
        RpcUrls.Select((url, i) => RpcEndpoint.TryParse(url, i, out var endpoint)
            ? endpoint
            : throw new InvalidOperationException($"{Section}:{nameof(RpcUrls)} holds a URL that is not http(s).")).ToArray();
}
