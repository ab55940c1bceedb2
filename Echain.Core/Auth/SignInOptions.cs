namespace Echain.Core.Auth;

/// <summary>Section "Echain:Auth": what a Sign-In with Ethereum message must say to be accepted.</summary>
public sealed class SignInOptions
{
    public const string Section = "Echain:Auth";
    public const string DefaultStatement = "Sign in to Echain to receive your wallet's live updates.";

    /// <summary>Origins of the pages that may sign users in (<c>https://tickets.example</c>, <c>http://localhost:7071</c>).</summary>
    public List<string> AllowedOrigins { get; set; } = [];

    /// <summary>The statement the message must carry, exactly; empty means the message must have none.</summary>
    public string Statement { get; set; } = DefaultStatement;

    /// <summary>How far the signer's clock may be off when Issued At, Expiration Time and Not Before are checked.</summary>
    public TimeSpan ClockTolerance { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long an issued nonce may be used (once).</summary>
    public TimeSpan NonceLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The EIP-155 chain id messages must name; null takes the configured node's eth_chainId.</summary>
    public long? ChainId { get; set; }

    /// <summary>The allowed origins, parsed (call after <see cref="IsValid"/>).</summary>
    public IReadOnlyList<Uri> Origins() => AllowedOrigins.Select(o => new Uri(o.Trim(), UriKind.Absolute)).ToArray();

    /// <summary>False, with the offending setting, when a setting cannot work.</summary>
    public bool IsValid(out string? error)
    {
        error = null;
        for (var i = 0; i < AllowedOrigins.Count; i++)
            if (!Uri.TryCreate(AllowedOrigins[i]?.Trim(), UriKind.Absolute, out var origin) || origin.Scheme is not ("http" or "https")
                || origin.PathAndQuery != "/" || origin.Fragment.Length > 0 || origin.UserInfo.Length > 0)
            {
                error = $"{Section}:{nameof(AllowedOrigins)}:{i} = '{AllowedOrigins[i]}' is not an origin (http(s)://host[:port], no path).";
                return false;
            }
        if (Statement.Contains('\n') || Statement.Contains('\r'))
            error = $"{Section}:{nameof(Statement)} must be one line.";
        else if (ClockTolerance < TimeSpan.Zero)
            error = $"{Section}:{nameof(ClockTolerance)} = {ClockTolerance} must be 0 or more.";
        else if (NonceLifetime <= TimeSpan.Zero)
            error = $"{Section}:{nameof(NonceLifetime)} = {NonceLifetime} must be positive.";
        else if (ChainId <= 0)
            error = $"{Section}:{nameof(ChainId)} = {ChainId} must be positive.";
        return error is null;
    }
}
