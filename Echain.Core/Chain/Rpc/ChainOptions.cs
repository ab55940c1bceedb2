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

    /// <summary>The first block the reconciler imports: the contracts' deployment block, or 0 to scan from genesis.</summary>
    public long StartBlock { get; set; }

    /// <summary>Blocks on top of a block before it counts as final; null takes the network's default (<see cref="EffectiveConfirmations"/>).</summary>
    public int? Confirmations { get; set; }

    /// <summary>How often the reconciler compares the chain with the projection.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Whether the reconciler runs; null runs it whenever a node is configured (<see cref="ReconcilerEnabled"/>).</summary>
    public bool? Reconcile { get; set; }

    /// <summary>The most blocks one eth_getLogs asks for; smaller when a provider refuses it (LogRangeReader learns that).</summary>
    public int MaxLogRange { get; set; } = 2000;

    /// <summary><see cref="Confirmations"/>, or the network's default: 30 on Base (2 s blocks, one minute), 64 elsewhere (two epochs).</summary>
    public int EffectiveConfirmations => Confirmations ?? (Network.StartsWith("base-", StringComparison.OrdinalIgnoreCase) ? 30 : 64);

    /// <summary><see cref="Reconcile"/>, or on when <see cref="RpcUrls"/> names a node to read the chain from.</summary>
    public bool ReconcilerEnabled => Reconcile ?? RpcUrls.Count > 0;

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
        else if (StartBlock < 0)
            error = $"{Section}:{nameof(StartBlock)} = {StartBlock} must be 0 or more.";
        else if (Confirmations < 0)
            error = $"{Section}:{nameof(Confirmations)} = {Confirmations} must be 0 or more.";
        else if (ReconcileInterval <= TimeSpan.Zero)
            error = $"{Section}:{nameof(ReconcileInterval)} = {ReconcileInterval} must be positive.";
        else if (MaxLogRange < 1)
            error = $"{Section}:{nameof(MaxLogRange)} = {MaxLogRange} must be 1 or more.";
        return error is null;
    }

    /// <summary>The configured nodes in order (call after validation).</summary>
    public IReadOnlyList<RpcEndpoint> Endpoints() =>
        RpcUrls.Select((url, i) => RpcEndpoint.TryParse(url, i, out var endpoint)
            ? endpoint
            : throw new InvalidOperationException($"{Section}:{nameof(RpcUrls)} holds a URL that is not http(s).")).ToArray();
}
