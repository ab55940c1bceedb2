using System.Text.Json;
using System.Text.Json.Serialization;

namespace Echain.Demo.Chain;

/// <summary>
/// One decoded log as Coinbase CDP delivers it (<c>onchain.activity.detected</c>): flat snake_case,
/// parameter values all strings, no block hash. Serialize with <see cref="ToJson"/>.
/// </summary>
public sealed record CdpActivity(
    [property: JsonPropertyName("block_number")] long BlockNumber,
    [property: JsonPropertyName("contract_address")] string ContractAddress,
    [property: JsonPropertyName("event_name")] string EventName,
    [property: JsonPropertyName("event_signature")] string EventSignature,
    [property: JsonPropertyName("log_index")] int LogIndex,
    [property: JsonPropertyName("network")] string Network,
    [property: JsonPropertyName("parameters")] IReadOnlyDictionary<string, string> Parameters,
    [property: JsonPropertyName("timestamp")] string Timestamp,
    [property: JsonPropertyName("transaction_from")] string TransactionFrom,
    [property: JsonPropertyName("transaction_hash")] string TransactionHash,
    [property: JsonPropertyName("transaction_to")] string TransactionTo)
{
    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this);
}
