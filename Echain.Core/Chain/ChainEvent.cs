using System.Text.Json.Serialization;

namespace Echain.Core.Chain;

/// <summary>
/// One decoded contract log, normalized from either Coinbase payload generation or read from the chain by the
/// reconciler. Parameters hold canonical strings: addresses lowercase (0x + 40 hex), integers as decimal
/// strings (uint256 exceeds every CLR integer), everything else verbatim.
/// </summary>
/// <param name="BlockHash">The block's hash, lowercase: known only for logs read from a node (CDP sends none).</param>
/// <param name="Removed">
/// The log left the canonical chain: undo it, but only if the applied copy is the one at <paramref name="BlockNumber"/>
/// (and <paramref name="BlockHash"/>, when both are known).
/// </param>
/// <param name="Origin">Who found the log: a webhook, or the reconciler importing, healing or replacing history.</param>
public sealed record ChainEvent(
    string Network,
    string TransactionHash,
    int LogIndex,
    long BlockNumber,
    DateTimeOffset? BlockTime,
    string Contract,
    string EventName,
    IReadOnlyDictionary<string, string> Parameters,
    string? DeliveryId = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] string? BlockHash = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Removed = false,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] ChainEventOrigin Origin = ChainEventOrigin.Webhook)
{
    /// <summary>The natural idempotency key: (network, transaction_hash, log_index).</summary>
    [JsonIgnore]
    public LogKey Key => new(Network, TransactionHash, LogIndex);

    public string Parameter(string name) =>
        Parameters.TryGetValue(name, out var value)
            ? value
            : throw new InvalidChainEventException($"{EventName} log {Key} has no parameter '{name}'.", name);
}

/// <summary>Where a queued log came from; stored with the applied log, so an operator can count what webhooks missed.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChainEventOrigin>))]
public enum ChainEventOrigin
{
    /// <summary>A Coinbase webhook delivery: the fast path.</summary>
    Webhook,
    /// <summary>History from before the webhooks (Echain:Chain:StartBlock up to the final head when the import began).</summary>
    Import,
    /// <summary>A final log no webhook delivered: a missed delivery, found by the reconciler.</summary>
    Heal,
    /// <summary>A log of the canonical chain applied again after a reorg moved or replaced it, or its removal.</summary>
    Reorg,
}

public readonly record struct LogKey(string Network, string TransactionHash, int LogIndex)
{
    public override string ToString() => $"{Network}/{TransactionHash}/{LogIndex}";
}

/// <summary>A queued event that can never be applied (missing parameter, bad number): poison, not transient.</summary>
/// <param name="parameter">The parameter at fault, when one is: ingest names it in its 400.</param>
public sealed class InvalidChainEventException(string message, string? parameter = null) : Exception(message)
{
    public string? Parameter { get; } = parameter;
}
