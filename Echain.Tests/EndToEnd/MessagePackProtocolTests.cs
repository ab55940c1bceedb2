using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Echain.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Echain.Tests.EndToEnd;

/// <summary>
/// A client on the MessagePack protocol reads the same payloads as one on JSON: same keys (camelCase), same values,
/// strings as strings and numbers as numbers. The MessagePack client decodes with the package's own defaults, into
/// plain maps and arrays, so nothing of the server's encoding helps it.
/// </summary>
public sealed class MessagePackProtocolTests(EchainTestHost host) : IClassFixture<EchainTestHost>
{
    [Fact]
    public async Task Group_messages_user_notifications_and_the_proof_are_the_same_over_MessagePack_as_over_JSON()
    {
        var (organizer, fan) = (await host.Ledger.NewWalletAsync(), await host.Ledger.NewWalletAsync());
        var start = new DateTimeOffset(2027, 11, 1, 18, 0, 0, TimeSpan.Zero);
        var created = await host.Ledger.CreateEventAsync(organizer, "Packed", "x", start, start.AddHours(1), 5, 2_000_000);
        var eventId = created.EventId.ToString();
        await using var json = await host.ConnectAsync(fan.Address, eventId);
        var token = await host.DevTokenAsync(fan.Address);
        var messagePack = new HubConnectionBuilder()
            .WithUrl(host.Url($"api?events={eventId}"), o => o.AccessTokenProvider = () => Task.FromResult<string?>(token))
            .AddMessagePackProtocol()
            .Build();
        var packed = new ConcurrentQueue<(string Target, JsonNode? Payload)>();
        foreach (var target in (string[])[.. RealtimeRecorder.Targets, "connection-proof"])
            messagePack.On(target, [typeof(object)], args =>
            {
                packed.Enqueue((target, ToJson(args[0])));
                return Task.CompletedTask;
            });
        await using var _ = messagePack;
        await messagePack.StartAsync();

        await host.Webhooks.SendAllAsync(created.Deliveries);
        var purchase = await host.Ledger.BuyAsync(fan, created.EventId, "GA");
        await host.Webhooks.SendAllAsync(purchase.Deliveries);
        await json.WaitForAsync("notification", p => p.GetProperty("type").GetString() == "ticket-purchased");
        await json.WaitForAsync("balance-updated", p => p.GetProperty("userId").GetString() == fan.Address);
        await host.DrainedAsync();

        // Every message the JSON client got (group and user alike) arrives over MessagePack with the same payload.
        var expected = json.Messages.Select(m => (m.Target, JsonNode.Parse(m.Payload.GetRawText()))).ToArray();
        Assert.Contains(expected, m => m.Target == "ticket-purchased");
        Assert.Contains(expected, m => m.Target == "event-updated");
        await Eventually.TrueAsync(() => Task.FromResult(packed.Count(m => m.Target != "connection-proof") >= expected.Length),
            "the MessagePack client to receive as many messages");
        var received = packed.Where(m => m.Target != "connection-proof").ToArray();
        Assert.Equal(expected.Length, received.Length);
        foreach (var (target, payload) in expected)
            Assert.True(received.Any(m => m.Target == target && JsonNode.DeepEquals(m.Payload, payload)),
                $"no {target} {payload?.ToJsonString()} over MessagePack; got {string.Join(" | ", received.Select(m => m.Payload?.ToJsonString()))}");

        // The proof has the JSON protocol's keys too.
        var proof = Assert.Single(packed, m => m.Target == "connection-proof").Payload!.AsObject();
        Assert.Equal(["connectionId", "proof", "events"], proof.Select(p => p.Key));
        Assert.Equal(messagePack.ConnectionId, proof["connectionId"]!.GetValue<string>());
        Assert.Equal([eventId], proof["events"]!.AsArray().Select(e => e!.GetValue<string>()));
    }

    /// <summary>What MessagePack's default decoding gives (maps, arrays, integers of any width, strings) as JSON.</summary>
    private static JsonNode? ToJson(object? value) => value switch
    {
        null => null,
        IDictionary<object, object?> map => new JsonObject(map.Select(p => KeyValuePair.Create((string)p.Key, ToJson(p.Value)))),
        object?[] items => new JsonArray(items.Select(ToJson).ToArray()),
        string text => JsonValue.Create(text),
        bool flag => JsonValue.Create(flag),
        double or float => JsonValue.Create(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)),
        ulong large => JsonValue.Create(large),
        _ => JsonValue.Create(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture)),
    };
}
