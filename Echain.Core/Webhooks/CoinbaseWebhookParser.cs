using System.Text.Json;
using Echain.Core.Chain;

namespace Echain.Core.Webhooks;

/// <summary>
/// InvalidEncoding: the bytes are not UTF-8, or a string escapes a lone surrogate (no text can hold it).
/// </summary>
public enum WebhookParseErrorKind { MalformedJson, UnknownShape, MissingField, InvalidField, InvalidEncoding }

/// <summary>Names the offending field (as spelled in the payload, e.g. "transaction_hash" or "parameters.to").</summary>
public sealed record WebhookParseError(WebhookParseErrorKind Kind, string Message, string? Field = null);

/// <summary>What a delivery carries: contract logs to project, CDP's own health, or a type Echain does not know.</summary>
public enum WebhookPayloadKind { ChainEvents, Health, UnknownType }

public sealed record WebhookParseResult(IReadOnlyList<ChainEvent> Events, WebhookParseError? Error)
{
    public bool IsSuccess => Error is null;

    public WebhookPayloadKind Kind { get; init; } = WebhookPayloadKind.ChainEvents;

    /// <summary>The payload's type ("onchain.activity.detected", "wallet.activity.detected", "erc20_transfer", …) when it could be read.</summary>
    public string? EventType { get; init; }

    /// <summary>The payload's own id (envelope <c>id</c>, <c>eventId</c>): the delivery id when no header gave one.</summary>
    public string? PayloadId { get; init; }

    /// <summary>Set when <see cref="Kind"/> is <see cref="WebhookPayloadKind.Health"/>.</summary>
    public CdpHealthUpdate? Health { get; init; }

    /// <summary>Where the decoded parameters sit in the payload, to name a parameter the projector's decoder refuses.</summary>
    public string ParametersField { get; init; } = "parameters";

    internal static WebhookParseResult Ok(params ChainEvent[] events) => new(events, null);
    internal static WebhookParseResult Fail(WebhookParseError error) => new([], error);
}

/// <summary>
/// Parses the raw body of every Coinbase payload shape into normalized <see cref="ChainEvent"/>s: the flat CDP
/// <c>onchain.activity.detected</c> (snake_case), the <c>{id, type, createdAt, data}</c> envelope, the CDP v2
/// events <c>{eventId, timestamp, eventType, data}</c> (<c>wallet.activity.detected</c>, <c>health.status.updated</c>),
/// and the legacy v1 webhooks (camelCase, <c>eventType</c> with an underscore name). A type it does not know is
/// <see cref="WebhookPayloadKind.UnknownType"/>, not an error: Coinbase retries whatever it is refused.
/// </summary>
public static partial class CoinbaseWebhookParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        // The signature covers the bytes, but a duplicated key would let two readers see different values.
        AllowDuplicateProperties = false,
        MaxDepth = 32,
    };

    /// <summary>The types of the flat payload; <see cref="LegacyTypes"/> are the v1 vocabulary (underscores, no dots).</summary>
    public const string OnchainActivityDetected = "onchain.activity.detected";
    public const string WalletActivityDetected = "wallet.activity.detected";
    public const string HealthStatusUpdated = "health.status.updated";
    private static readonly HashSet<string> LegacyTypes = ["erc20_transfer", "erc721_transfer", "smart_contract_event_activity", "transaction"];

    public static WebhookParseResult Parse(ReadOnlyMemory<byte> body, string? deliveryId)
    {
        // The signature was over the bytes with the BOM; the JSON starts after it.
        var json = WebhookBytes.WithoutBom(body);
        if (WebhookBytes.Check(json.Span) is { } encoding) return WebhookParseResult.Fail(encoding);

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException e)
        {
            // The reader's message is .NET's wording ("'x' is an invalid start of a value. Path: $ | LineNumber: …"): the
            // position is what a sender can act on.
            return WebhookParseResult.Fail(new(WebhookParseErrorKind.MalformedJson, e.LineNumber is { } line && e.BytePositionInLine is { } position
                ? $"The body is not valid JSON (line {line + 1}, byte {position + 1})."
                : "The body is not valid JSON."));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return WebhookParseResult.Fail(new(WebhookParseErrorKind.UnknownShape,
                    $"The body is a JSON {root.ValueKind.ToString().ToLowerInvariant()}; a webhook payload object is expected."));
            if (TypeOf(root, "type") is { } envelopeType && root.TryGetProperty("data", out _))
                return ParseTyped(root, envelopeType, "id", deliveryId);
            if (TypeOf(root, "eventType") is { } eventType)
                return LegacyTypes.Contains(eventType) || !root.TryGetProperty("data", out _) && !eventType.Contains('.')
                    ? ParseLegacy(root, eventType, deliveryId)
                    : ParseTyped(root, eventType, "eventId", deliveryId);
            if (root.TryGetProperty("event_name", out _) || root.TryGetProperty("transaction_hash", out _)
                || root.TryGetProperty("contract_address", out _))
                return ReadLog(root, new FieldReader(), LogFields.SnakeCase, deliveryId) with { EventType = OnchainActivityDetected };
            return WebhookParseResult.Fail(new(WebhookParseErrorKind.UnknownShape,
                "The payload has no type (type, eventType) and is not an onchain.activity.detected event (event_name, transaction_hash, …)."));
        }
    }

    /// <summary>The type field's value when it is a non-empty string.</summary>
    private static string? TypeOf(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

    /// <summary>Where one decoded log's fields are: snake_case (the flat payload) or camelCase (a typed payload's data).</summary>
    private sealed record LogFields(string Signature, string TransactionHash, string LogIndex, string BlockNumber,
        string BlockTime, string? FallbackTime, string Contract, string EventName)
    {
        public static readonly LogFields SnakeCase = new("event_signature", "transaction_hash", "log_index", "block_number",
            "timestamp", null, "contract_address", "event_name");

        // The block's time; a typed payload may only give the event's (its root timestamp is the delivery's event time).
        public static readonly LogFields CamelCase = new("eventSignature", "transactionHash", "logIndex", "blockNumber",
            "blockTimestamp", "timestamp", "contractAddress", "eventName");
    }

    /// <summary>One decoded log (the flat payload, or a typed payload's data) with field names <paramref name="fields"/>, read by <paramref name="read"/>.</summary>
    private static WebhookParseResult ReadLog(JsonElement root, FieldReader read, LogFields fields, string? deliveryId)
    {
        var signature = read.OptionalString(root, fields.Signature);
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        if (root.TryGetProperty("parameters", out var raw) && raw.ValueKind != JsonValueKind.Null)
            EventParameters.Read(read, raw, "parameters", signature, parameters);

        var chainEvent = new ChainEvent(
            Network: read.Network(root, "network"),
            TransactionHash: read.TransactionHash(root, fields.TransactionHash),
            LogIndex: (int)read.NonNegativeInteger(root, fields.LogIndex, int.MaxValue),
            BlockNumber: read.NonNegativeInteger(root, fields.BlockNumber, long.MaxValue),
            BlockTime: read.OptionalTime(root, fields.BlockTime)
                ?? (fields.FallbackTime is { } fallback ? read.OptionalTime(root, fallback) : null),
            Contract: read.Address(root, fields.Contract),
            EventName: read.RequiredString(root, fields.EventName),
            Parameters: parameters,
            DeliveryId: deliveryId);
        return read.Result(chainEvent) with { ParametersField = read.Prefix + "parameters" };
    }

    private static WebhookParseResult ParseLegacy(JsonElement root, string eventType, string? deliveryId)
    {
        var result = ParseLegacyEvent(root, eventType, deliveryId);
        // Transfers carry their parameters at the top (from, to, value); a smart contract event in "parameters".
        return result.Kind == WebhookPayloadKind.UnknownType ? result
            : result with { EventType = eventType, ParametersField = eventType == "smart_contract_event_activity" ? "parameters" : "" };
    }

    private static WebhookParseResult ParseLegacyEvent(JsonElement root, string eventType, string? deliveryId)
    {
        // An unknown v1 type is acknowledged and counted: refusing it would only make Coinbase retry it 60 times.
        if (!LegacyTypes.Contains(eventType)) return Unknown(eventType, null);
        var read = new FieldReader();
        var network = read.Network(root, "network");
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
                throw new InvalidOperationException($"LegacyTypes lists '{eventType}', which no case reads.");
        }
    }

    private static int LogIndex(FieldReader read, JsonElement root) => (int)read.NonNegativeInteger(root, "logIndex", int.MaxValue);

    private static bool Present(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;
}
