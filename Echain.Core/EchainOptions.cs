namespace Echain.Core;

/// <summary>Section "Echain".</summary>
public sealed class EchainOptions
{
    public const string Section = "Echain";

    /// <summary>ERC-721 ticket contracts that also emit the Echain events (EventCreated, TicketPurchased, …).</summary>
    public List<string> TicketContracts { get; set; } = [];

    /// <summary>ERC-20 payment tokens (e.g. USDC) whose Transfer logs become balance deltas.</summary>
    public List<string> PaymentTokens { get; set; } = [];

    /// <summary>The ticket contracts as the projection stores addresses (trimmed, lowercase); valid once <see cref="HasValidAddresses"/> is.</summary>
    public IEnumerable<string> TicketContractAddresses() => Normalized(TicketContracts);

    /// <inheritdoc cref="TicketContractAddresses"/>
    public IEnumerable<string> PaymentTokenAddresses() => Normalized(PaymentTokens);

    private static IEnumerable<string> Normalized(List<string> addresses) => addresses.Select(a => Chain.EthAddress.Normalize(a.Trim()));

    /// <summary>False, with the offending setting, when a configured contract is not an address (a typo would match nothing).</summary>
    public bool HasValidAddresses(out string? error)
    {
        error = null;
        foreach (var (name, list) in new[] { (nameof(TicketContracts), TicketContracts), (nameof(PaymentTokens), PaymentTokens) })
            for (var i = 0; i < list.Count; i++)
                if (!Chain.EthAddress.TryNormalize(list[i]?.Trim(), out _))
                {
                    error = $"{Section}:{name}:{i} = '{list[i]}' is not an address (0x followed by 40 hex digits).";
                    return false;
                }
        return true;
    }
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
