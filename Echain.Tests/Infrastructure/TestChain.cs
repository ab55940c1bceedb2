using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Echain.Core;
using Echain.Core.Chain;
using Echain.Core.Chain.Rpc;
using Echain.Core.Projection;
using Echain.Core.Reads;
using Echain.Core.Realtime;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Echain.Tests.Infrastructure;

/// <summary>Builds normalized contract logs the way the webhook parser hands them to the projector.</summary>
internal static class TestChain
{
    public const string Network = "base-mainnet";
    public const string Tickets = "0x1111111111111111111111111111111111111111";
    public const string Usdc = "0x833589fcd6edb6e08f4c7c32d4f71b54bda02913";
    public const string Unconfigured = "0x9999999999999999999999999999999999999999";
    public const string Creator = "0xc0ffee0000000000000000000000000000000001";
    public const string Alice = "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    public const string Bob = "0xbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    public const string Carol = "0xcccccccccccccccccccccccccccccccccccccccc";
    public const string Zero = EthAddress.Zero;

    public const long Start = 1_800_000_000;
    public const long End = 1_800_010_000;

    public static TicketProjector Projector(NpgsqlDataSource dataSource) =>
        new(dataSource, new ContractLogDecoder(Options.Create(new EchainOptions { TicketContracts = [Tickets], PaymentTokens = [Usdc.ToUpperInvariant().Replace("0X", "0x")] })),
            NullLogger<TicketProjector>.Instance);

    /// <summary>The reads of <see cref="Network"/>: its chain_checkpoints row decides what is final.</summary>
    public static TicketReadRepository Reads(NpgsqlDataSource dataSource) =>
        new(dataSource, Options.Create(new ChainOptions { Network = Network }), Options.Create(new EchainOptions { TicketContracts = [Tickets] }));

    public static ChainEvent Log(string contract, string name, long block, int log, params (string Key, string Value)[] parameters) =>
        new(Network, $"0x{block:x32}{log:x32}", log, block, DateTimeOffset.FromUnixTimeSeconds(1_700_000_000 + block * 2),
            contract, name, parameters.ToDictionary(p => p.Key, p => p.Value));

    public static ChainEvent EventCreated(long block, int log, string eventId, string title = "Concert", string description = "Live",
        long start = Start, long end = End, string maxTickets = "100", string price = "5000000", string creator = Creator) =>
        Log(Tickets, "EventCreated", block, log, ("eventId", eventId), ("creator", creator), ("title", title),
            ("description", description), ("startTime", N(start)), ("endTime", N(end)), ("maxTickets", maxTickets), ("ticketPrice", price));

    public static ChainEvent EventUpdated(long block, int log, string eventId, string title = "Concert", string description = "Live",
        long start = Start, long end = End, string price = "5000000") =>
        Log(Tickets, "EventUpdated", block, log, ("eventId", eventId), ("title", title), ("description", description),
            ("startTime", N(start)), ("endTime", N(end)), ("ticketPrice", price));

    public static ChainEvent Purchase(long block, int log, string eventId, string tokenId, string buyer, string price = "5000000", string type = "GA") =>
        Log(Tickets, "TicketPurchased", block, log, ("eventId", eventId), ("tokenId", tokenId), ("buyer", buyer), ("price", price), ("ticketType", type));

    public static ChainEvent TicketTransfer(long block, int log, string from, string to, string tokenId) =>
        Log(Tickets, "Transfer", block, log, ("from", from), ("to", to), ("tokenId", tokenId));

    public static ChainEvent TicketUsed(long block, int log, string tokenId) =>
        Log(Tickets, "TicketUsed", block, log, ("tokenId", tokenId));

    public static ChainEvent UsdcTransfer(long block, int log, string from, string to, string value) =>
        Log(Usdc, "Transfer", block, log, ("from", from), ("to", to), ("value", value));

    public static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>How a DateTimeOffset appears in a payload.</summary>
    public static string Iso(long unixSeconds) => JsonSerializer.Serialize(DateTimeOffset.FromUnixTimeSeconds(unixSeconds)).Trim('"');

    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// "target group:x|user:y {payload with sorted keys}": order-insensitive, exact otherwise. Every message must carry
    /// its stream and a seq; their values are left out here (RealtimeSequenceTests checks them).
    /// </summary>
    public static string Render(RealtimeMessage message)
    {
        Assert.Equal(message.Stream, message.Payload["stream"]?.GetValue<string>());
        Assert.True(message.Seq > 0, $"{message.Target} has no seq: {message.Payload.ToJsonString()}");
        var payload = message.Payload.DeepClone().AsObject();
        payload.Remove("stream");
        payload.Remove("seq");
        return $"{message.Target} {(message.GroupName is { } group ? "group:" + group : "user:" + message.UserId)} {Canonical(payload)!.ToJsonString(Readable)}";
    }

    public static string[] Render(IEnumerable<RealtimeMessage> messages) => messages.Select(Render).ToArray();

    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Canonical).ToArray()),
        _ => node?.DeepClone(),
    };

    public static async Task<long> CountAsync(NpgsqlDataSource dataSource, string table)
    {
        await using var command = dataSource.CreateCommand($"SELECT count(*) FROM {table}");
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
