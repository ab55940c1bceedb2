using System.Text.Json.Serialization;

namespace Echain.Core.Chain;

/// <summary>
/// One decoded contract log, normalized from either Coinbase payload generation.
/// Parameters hold canonical strings: addresses lowercase (0x + 40 hex), integers as decimal
/// strings (uint256 exceeds every CLR integer), everything else verbatim.
/// </summary>
public sealed record ChainEvent(
    string Network,
    string TransactionHash,
    int LogIndex,
    long BlockNumber,
    DateTimeOffset? BlockTime,
    string Contract,
    string EventName,
    IReadOnlyDictionary<string, string> Parameters,
    string? DeliveryId = null)
{
    /// <summary>The natural idempotency key: (network, transaction_hash, log_index).</summary>
    [JsonIgnore]
    public LogKey Key => new(Network, TransactionHash, LogIndex);

    public string Parameter(string name) =>
        Parameters.TryGetValue(name, out var value)
            ? value
            : throw new InvalidChainEventException($"{EventName} log {Key} has no parameter '{name}'.");
}

public readonly record struct LogKey(string Network, string TransactionHash, int LogIndex)
{
    public override string ToString() => $"{Network}/{TransactionHash}/{LogIndex}";
}

/// <summary>A queued event that can never be applied (missing parameter, bad number): poison, not transient.</summary>
public sealed class InvalidChainEventException(string message) : Exception(message);
