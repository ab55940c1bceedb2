using System.Globalization;
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
    /// <summary>Names whose values are addresses when the payload carries no event signature.</summary>
    private static readonly HashSet<string> KnownAddressNames = ["from", "to", "buyer", "creator"];

    /// <summary>Names whose values are uint256 when the payload carries no event signature.</summary>
    private static readonly HashSet<string> KnownUintNames =
        ["tokenId", "eventId", "value", "price", "maxTickets", "ticketPrice", "startTime", "endTime"];

    private static readonly System.Buffers.SearchValues<char> HexDigits =
        System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

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
            read.Parameters(raw, "parameters", signature, parameters);

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
                    read.Parameters(raw, "parameters", signature, parameters);
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

    private enum ParameterKind { Verbatim, Address, Uint }

    private static ParameterKind KindOfType(string type) =>
        type == "address" ? ParameterKind.Address
        : type.StartsWith("uint", StringComparison.Ordinal) && !type.Contains('[') ? ParameterKind.Uint
        : ParameterKind.Verbatim;

    /// <summary>"Transfer(address,address,uint256)" → [address, address, uint256]; commas inside tuples do not split.</summary>
    internal static List<string>? SignatureTypes(string? signature)
    {
        if (signature is null) return null;
        var open = signature.IndexOf('(');
        if (open < 0 || !signature.EndsWith(')')) return null;
        var inner = signature[(open + 1)..^1];
        var types = new List<string>();
        if (inner.Length == 0) return types;
        int depth = 0, start = 0;
        for (var i = 0; i < inner.Length; i++)
        {
            switch (inner[i])
            {
                case '(': depth++; break;
                case ')': depth--; break;
                case ',' when depth == 0:
                    types.Add(FirstWord(inner[start..i]));
                    start = i + 1;
                    break;
            }
        }
        types.Add(FirstWord(inner[start..]));
        return types;

        // Tolerates "uint256 indexed eventId" should a sender include modifiers and names.
        static string FirstWord(string s) => s.Trim().Split(' ', 2)[0];
    }

    /// <summary>
    /// Reads fields and keeps the first error instead of throwing: readers return a placeholder after a failure,
    /// and <see cref="Result"/> discards the event when any read failed. Bad input is expected here, not exceptional.
    /// </summary>
    private sealed class FieldReader
    {
        public WebhookParseError? Error { get; private set; }

        public WebhookParseResult Result(ChainEvent? chainEvent) =>
            Error is not null ? WebhookParseResult.Fail(Error) : WebhookParseResult.Ok(chainEvent!);

        public void Missing(string name) =>
            Error ??= new(WebhookParseErrorKind.MissingField, $"{name} is missing", name);

        public void Invalid(string name, string message) =>
            Error ??= new(WebhookParseErrorKind.InvalidField, message, name);

        public string RequiredString(JsonElement root, string name)
        {
            if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) { Missing(name); return ""; }
            if (v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s) return s;
            Invalid(name, $"{name} must be a non-empty string");
            return "";
        }

        public string? OptionalString(JsonElement root, string name)
        {
            if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s) return s;
            Invalid(name, $"{name} must be a non-empty string");
            return null;
        }

        public string TransactionHash(JsonElement root, string name)
        {
            var s = RequiredString(root, name);
            if (s.Length == 66 && s.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && !s.AsSpan(2).ContainsAnyExcept(HexDigits))
                return "0x" + s[2..].ToLowerInvariant();
            if (s.Length > 0) Invalid(name, $"{name} is not a 32-byte hex hash");
            return "";
        }

        public string Address(JsonElement root, string name)
        {
            if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) { Missing(name); return ""; }
            if (v.ValueKind == JsonValueKind.String && EthAddress.TryNormalize(v.GetString(), out var a)) return a;
            Invalid(name, $"{name} is not an address");
            return "";
        }

        /// <summary>A uint256 that may arrive as a JSON number or a decimal/hex string.</summary>
        public string Uint(JsonElement root, string name)
        {
            if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) { Missing(name); return ""; }
            if (Uint256.TryCanonicalize(NumberText(v), out var canonical)) return canonical;
            Invalid(name, $"{name} is not a uint256");
            return "";
        }

        public long NonNegativeInteger(JsonElement root, string name, long max)
        {
            if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) { Missing(name); return 0; }
            if (Uint256.TryParse(NumberText(v), out var value) && value <= max) return (long)value;
            Invalid(name, $"{name} must be a non-negative integer");
            return 0;
        }

        public DateTimeOffset? OptionalTime(JsonElement root, string name)
        {
            if (!root.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return null;
            if (v.ValueKind == JsonValueKind.String
                && DateTimeOffset.TryParse(v.GetString(), CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
                return time.ToUniversalTime();
            Invalid(name, $"{name} is not an ISO-8601 time");
            return null;
        }

        public void Parameters(JsonElement raw, string field, string? signature, Dictionary<string, string> into)
        {
            if (raw.ValueKind != JsonValueKind.Object) { Invalid(field, $"{field} must be an object"); return; }

            var properties = raw.EnumerateObject().ToList();
            // Coinbase lists decoded parameters in ABI order, so the i-th type of the signature belongs to the i-th name.
            var types = SignatureTypes(signature);
            if (types is not null && types.Count != properties.Count) types = null;

            for (var i = 0; i < properties.Count; i++)
            {
                var (name, value) = (properties[i].Name, properties[i].Value);
                // Structs and arrays are kept as their JSON text; no Echain event has them.
                var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
                var kind = types is not null ? KindOfType(types[i])
                    : KnownAddressNames.Contains(name) ? ParameterKind.Address
                    : KnownUintNames.Contains(name) ? ParameterKind.Uint
                    : ParameterKind.Verbatim;
                var path = $"{field}.{name}";
                switch (kind)
                {
                    case ParameterKind.Address when EthAddress.TryNormalize(text, out var a): into[name] = a; break;
                    case ParameterKind.Address: Invalid(path, $"{path} is not an address"); break;
                    case ParameterKind.Uint when Uint256.TryCanonicalize(text, out var u): into[name] = u; break;
                    case ParameterKind.Uint: Invalid(path, $"{path} is not a uint256"); break;
                    default: into[name] = text; break;
                }
            }
        }

        private static string? NumberText(JsonElement v) => v.ValueKind switch
        {
            JsonValueKind.String => v.GetString(),
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        };
    }
}
