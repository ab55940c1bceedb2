using System.Text.Json;
using Echain.Core.Chain;

namespace Echain.Core.Webhooks;

public enum WebhookParseErrorKind { MalformedJson, UnknownShape, MissingField, InvalidField }

/// <summary>Names the offending field (as spelled in the payload, e.g. "transaction_hash" or "parameters.to").</summary>
public sealed record WebhookParseError(WebhookParseErrorKind Kind, string Message, string? Field = null);

public sealed record WebhookParseResult(IReadOnlyList<ChainEvent> Events, WebhookParseError? Error)
{
    public bool IsSuccess => Error is null;

    internal static WebhookParseResult Ok(params ChainEvent[] events) => new(events, null);
    internal static WebhookParseResult Fail(WebhookParseError error) => new([], error);
}

/// <summary>
/// Parses the raw body of either Coinbase payload generation into normalized <see cref="ChainEvent"/>s:
/// the current CDP <c>onchain.activity.detected</c> (flat snake_case, one log per delivery — the CDP docs show
/// no array or envelope, so none is accepted) and the legacy v1 webhooks (camelCase, <c>eventType</c>).
/// </summary>
public static class CoinbaseWebhookParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        // The signature covers the bytes, but a duplicated key would let two readers see different values.
        AllowDuplicateProperties = false,
        MaxDepth = 32,
    };

    public static WebhookParseResult Parse(ReadOnlyMemory<byte> body, string? deliveryId)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException e)
        {
            return WebhookParseResult.Fail(new(WebhookParseErrorKind.MalformedJson, $"The body is not valid JSON: {e.Message}"));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return WebhookParseResult.Fail(new(WebhookParseErrorKind.UnknownShape,
                    $"The body is a JSON {root.ValueKind.ToString().ToLowerInvariant()}; a webhook payload object is expected."));
            if (root.TryGetProperty("eventType", out _))
                return ParseLegacy(root, deliveryId);
            if (root.TryGetProperty("event_name", out _) || root.TryGetProperty("transaction_hash", out _)
                || root.TryGetProperty("contract_address", out _))
                return ParseCdp(root, deliveryId);
            return WebhookParseResult.Fail(new(WebhookParseErrorKind.UnknownShape,
                "The payload is neither an onchain.activity.detected event (event_name, transaction_hash, …) nor a legacy webhook (eventType)."));
        }
    }

    private static WebhookParseResult ParseCdp(JsonElement root, string? deliveryId)
    {
        var read = new FieldReader();
        var signature = read.OptionalString(root, "event_signature");
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("parameters", out var raw) && raw.ValueKind != JsonValueKind.Null)
            EventParameters.Read(read, raw, "parameters", signature, parameters);

        var chainEvent = new ChainEvent(
            Network: read.RequiredString(root, "network"),
            TransactionHash: read.TransactionHash(root, "transaction_hash"),
            LogIndex: (int)read.NonNegativeInteger(root, "log_index", int.MaxValue),
            BlockNumber: read.NonNegativeInteger(root, "block_number", long.MaxValue),
            BlockTime: read.OptionalTime(root, "timestamp"),
            Contract: read.Address(root, "contract_address"),
            EventName: read.RequiredString(root, "event_name"),
            Parameters: parameters,
            DeliveryId: deliveryId);
        return read.Result(chainEvent);
    }

    private static WebhookParseResult ParseLegacy(JsonElement root, string? deliveryId)
    {
        var read = new FieldReader();
        var eventType = read.RequiredString(root, "eventType");
        var network = read.RequiredString(root, "network");
        var hash = read.TransactionHash(root, "transactionHash");
        var block = read.NonNegativeInteger(root, "blockNumber", long.MaxValue);
        var time = read.OptionalTime(root, "blockTime");
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (read.Error is not null) return read.Result(null);

        switch (eventType)
        {
            case "erc20_transfer":
            case "erc721_transfer":
            {
                // Both are ERC Transfer logs; the projector tells them apart by contract (ticket vs payment token).
                var amountName = eventType == "erc20_transfer" ? "value" : "tokenId";
                parameters["from"] = read.Address(root, "from");
                parameters["to"] = read.Address(root, "to");
                parameters[amountName] = read.Uint(root, amountName);
                return read.Result(new ChainEvent(network, hash, LogIndex(read, root), block, time,
                    read.Address(root, "contractAddress"), "Transfer", parameters, deliveryId));
            }
            case "smart_contract_event_activity":
            {
                // Coinbase's model of this payload (SmartContractActivityEvent in its SDKs) has func (the name),
                // sig (the signature), fourBytes, from, to, value — no decoded-argument map. We take the name from
                // func (or eventName), types from sig, decoded arguments from a "parameters" object if one is sent,
                // and the top-level from/to/value as parameters of those names.
                var name = read.OptionalString(root, "eventName") ?? read.OptionalString(root, "func");
                if (name is null) read.Missing("func");
                var signature = read.OptionalString(root, "sig");
                if (root.TryGetProperty("parameters", out var raw) && raw.ValueKind != JsonValueKind.Null)
                    EventParameters.Read(read, raw, "parameters", signature, parameters);
                foreach (var field in (string[])["from", "to", "value"])
                    if (!parameters.ContainsKey(field) && Present(root, field))
                        parameters[field] = field == "value" ? read.Uint(root, field) : read.Address(root, field);
                return read.Result(new ChainEvent(network, hash, LogIndex(read, root), block, time,
                    read.Address(root, "contractAddress"), name ?? "", parameters, deliveryId));
            }
            case "transaction":
            {
                // A transaction has no log. LogIndex -1 keeps the natural key (network, hash, log index) unique per
                // transaction without colliding with the transaction's real logs (transactionIndex could). The
                // contract is the callee; "transaction" is no known event name, so ingest acknowledges it without
                // queueing and nothing projects it.
                if (Present(root, "from")) parameters["from"] = read.Address(root, "from");
                if (Present(root, "to")) parameters["to"] = read.Address(root, "to");
                if (Present(root, "value")) parameters["value"] = read.Uint(root, "value");
                var contract = Present(root, "contractAddress") ? read.Address(root, "contractAddress")
                    : parameters.GetValueOrDefault("to", EthAddress.Zero);
                return read.Result(new ChainEvent(network, hash, -1, block, time,
                    contract, "transaction", parameters, deliveryId));
            }
            default:
                read.Invalid("eventType",
                    $"eventType '{eventType}' is not one of erc20_transfer, erc721_transfer, smart_contract_event_activity, transaction");
                return read.Result(null);
        }
    }

    private static int LogIndex(FieldReader read, JsonElement root) => (int)read.NonNegativeInteger(root, "logIndex", int.MaxValue);

    private static bool Present(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;
}
