namespace Echain.Core;

/// <summary>Section "Echain".</summary>
public sealed class EchainOptions
{
    public const string Section = "Echain";

    /// <summary>ERC-721 ticket contracts that also emit the Echain events (EventCreated, TicketPurchased, …).</summary>
    public List<string> TicketContracts { get; set; } = [];

    /// <summary>ERC-20 payment tokens (e.g. USDC) whose Transfer logs become balance deltas.</summary>
    public List<string> PaymentTokens { get; set; } = [];
}

/// <summary>Section "Coinbase".</summary>
public sealed class CoinbaseOptions
{
    public const string Section = "Coinbase";

    /// <summary>Webhook secrets; several while a secret is being rotated.</summary>
    public List<string> WebhookSecrets { get; set; } = [];

    /// <summary>Accept the v0 signature (timestamp + body only) when v1 is absent.</summary>
    public bool AllowV0Signature { get; set; }

    /// <summary>Accept legacy X-Coinbase-Signature = hex HMAC-SHA256(secret, raw body).</summary>
    public bool AllowLegacySignature { get; set; }

    public int ToleranceSeconds { get; set; } = 300;

    public long MaxBodyBytes { get; set; } = 1024 * 1024;
}
