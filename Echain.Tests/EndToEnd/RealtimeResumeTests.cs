using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using Echain.Demo.Chain;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.EndToEnd;

/// <summary>
/// seq and the resume endpoints through the real app: webhooks in, SignalR .NET clients and
/// GET /api/realtime/.../messages out. A client that was away reads exactly what it missed.
/// </summary>
public sealed class RealtimeResumeTests(EchainTestHost host) : IClassFixture<EchainTestHost>
{
    private static readonly DateTimeOffset Start = new(2027, 6, 1, 20, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_client_away_while_200_messages_went_to_its_group_gets_exactly_those_200_in_order_from_the_resume_endpoint()
    {
        var organizer = await host.Ledger.NewWalletAsync();
        var created = await host.Ledger.CreateEventAsync(organizer, "Resume", "Away and back", Start, Start.AddHours(2), 10, 5);
        var eventId = created.EventId.ToString();
        await using var away = await host.ConnectAsync(null, eventId);
        await using var witness = await host.ConnectAsync(null, eventId);
        await host.Webhooks.SendAllAsync(created.Deliveries);
        await host.DrainedAsync();
        var lastSeen = (await host.GetJsonAsync($"api/realtime/groups/{eventId}/messages")).GetProperty("latest").GetInt64();
        Assert.True(lastSeen > 0);
        await Eventually.TrueAsync(() => Task.FromResult(Group(away, eventId).Any(m => m.Payload.GetProperty("seq").GetInt64() == lastSeen)),
            "the client to see the latest message before it goes away");
        await away.Connection.StopAsync();

        // One at a time: an update applied after a newer one changes nothing and says nothing (order independence).
        await host.UpdateEventRepeatedlyAsync(organizer, created.EventId, 200, "Resume #", Start, 5);
        await Eventually.TrueAsync(() => Task.FromResult(Group(witness, eventId).Any(m => m.Payload.GetProperty("seq").GetInt64() == lastSeen + 200)),
            "the witness to get the 200th message", 60);

        var missed = await ReadAllAfterAsync($"api/realtime/groups/{eventId}/messages", lastSeen);
        Assert.Equal(200, missed.Count);
        Assert.Equal(Enumerable.Range(1, 200).Select(i => lastSeen + i), missed.Select(m => m.GetProperty("seq").GetInt64()));
        // Exactly what the connected client received live, in seq order, payloads included.
        var live = Group(witness, eventId).Where(m => m.Payload.GetProperty("seq").GetInt64() > lastSeen)
            .OrderBy(m => m.Payload.GetProperty("seq").GetInt64()).ToArray();
        Assert.Equal(live.Select(m => m.Target), missed.Select(m => m.GetProperty("target").GetString()));
        Assert.Equal(live.Select(m => m.Payload.GetRawText()), missed.Select(m => m.GetProperty("payload").GetRawText()), JsonEquivalence.Instance);
        Assert.Equal($"Resume #199", missed[^1].GetProperty("payload").GetProperty("updates").GetProperty("title").GetString());

        // Nothing more after the last one; the baseline (no after) is the latest seq.
        var latest = lastSeen + 200;
        Assert.Empty(await ReadAllAfterAsync($"api/realtime/groups/{eventId}/messages", latest));
        var baseline = await host.GetJsonAsync($"api/realtime/groups/{eventId}/messages");
        Assert.Equal(latest, baseline.GetProperty("latest").GetInt64());
        Assert.Equal($"event-{eventId}", baseline.GetProperty("stream").GetString());
        Assert.Equal(0, baseline.GetProperty("messages").GetArrayLength());
    }

    [Fact]
    public async Task Concurrent_deliveries_give_every_stream_gapless_seqs_as_clients_receive_them_and_as_history_keeps_them()
    {
        var organizer = await host.Ledger.NewWalletAsync();
        var fans = new[] { await host.Ledger.NewWalletAsync(), await host.Ledger.NewWalletAsync() };
        var deliveries = new List<CdpActivity>();
        var events = new List<string>();
        for (var e = 0; e < 3; e++)
        {
            var created = await host.Ledger.CreateEventAsync(organizer, $"Concurrent {e}", "", Start, Start.AddHours(1), 50, 1);
            events.Add(created.EventId.ToString());
            deliveries.AddRange(created.Deliveries);
        }
        for (var i = 0; i < 18; i++) deliveries.AddRange((await host.Ledger.BuyAsync(fans[i % 2], BigInteger.Parse(events[i % 3]), "GA")).Deliveries);
        var groups = new List<RealtimeRecorder>();
        foreach (var e in events) groups.Add(await host.ConnectAsync(null, e));
        var users = new List<RealtimeRecorder>();
        foreach (var fan in fans) users.Add(await host.ConnectAsync(fan.Address));
        try
        {
            // Four senders at once and every delivery twice: the consumer applies them concurrently.
            var random = new Random(5);
            await Parallel.ForEachAsync(deliveries.Concat(deliveries).OrderBy(_ => random.Next()), new ParallelOptions { MaxDegreeOfParallelism = 4 },
                async (d, ct) => await host.Webhooks.SendAllAsync([d], ct));
            await host.DrainedAsync();

            foreach (var (client, stream, path, token) in events.Select((e, i) => (groups[i], $"event-{e}", $"api/realtime/groups/{e}/messages", (string?)null))
                         .Concat(await Task.WhenAll(fans.Select(async (f, i) => (users[i], $"user-{f.Address}", "api/realtime/me/messages", (string?)await host.DevTokenAsync(f.Address))))))
            {
                var kept = await ReadAllAfterAsync(path, 0, token);
                Assert.NotEmpty(kept);
                Assert.Equal(Enumerable.Range(1, kept.Count).Select(i => (long)i), kept.Select(m => m.GetProperty("seq").GetInt64()));
                ReceivedMessage[] received = [];
                await Eventually.TrueAsync(() =>
                {
                    received = client.Messages.Where(m => m.Payload.GetProperty("stream").GetString() == stream).ToArray();
                    return Task.FromResult(received.Select(m => m.Payload.GetProperty("seq").GetInt64()).Distinct().Count() == kept.Count);
                }, $"{stream}'s client to receive {kept.Count} distinct seqs");
                var distinct = received.DistinctBy(m => m.Payload.GetProperty("seq").GetInt64()).OrderBy(m => m.Payload.GetProperty("seq").GetInt64()).ToArray();
                Assert.Equal(kept.Select(m => m.GetProperty("payload").GetRawText()), distinct.Select(m => m.Payload.GetRawText()), JsonEquivalence.Instance);
            }
        }
        finally
        {
            foreach (var client in groups.Concat(users)) await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_me_stream_needs_a_user_token_and_holds_only_that_users_messages()
    {
        var organizer = await host.Ledger.NewWalletAsync();
        var (alice, bob) = (await host.Ledger.NewWalletAsync(), await host.Ledger.NewWalletAsync());
        var created = await host.Ledger.CreateEventAsync(organizer, "Mine", "", Start, Start.AddHours(1), 5, 0);
        await host.Webhooks.SendAllAsync(created.Deliveries);
        await host.Webhooks.SendAllAsync((await host.Ledger.BuyAsync(alice, created.EventId, "GA")).Deliveries);
        await host.Webhooks.SendAllAsync((await host.Ledger.BuyAsync(bob, created.EventId, "GA")).Deliveries);
        await host.DrainedAsync();

        var mine = await ReadAllAfterAsync("api/realtime/me/messages", 0, await host.DevTokenAsync(alice.Address));
        Assert.NotEmpty(mine);
        Assert.All(mine, m => Assert.Equal(alice.Address, m.GetProperty("payload").GetProperty("userId").GetString()));
        Assert.All(mine, m => Assert.Equal($"user-{alice.Address}", m.GetProperty("payload").GetProperty("stream").GetString()));

        using var anonymous = await host.Http.GetAsync(host.Url("api/realtime/me/messages?after=0"));
        await AssertProblemAsync(anonymous, HttpStatusCode.Unauthorized);
        using var forged = await GetAsync("api/realtime/me/messages?after=0", "not-a-token");
        await AssertProblemAsync(forged, HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("api/realtime/groups/1/messages?after=abc", "after")]
    [InlineData("api/realtime/groups/1/messages?after=-1", "after")]
    [InlineData("api/realtime/groups/1/messages?after=1.5", "after")]
    [InlineData("api/realtime/groups/not-an-id/messages?after=0", "eventId")]
    public async Task A_malformed_position_or_event_id_is_400(string path, string field)
    {
        using var response = await host.Http.GetAsync(host.Url(path));
        var problem = await AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task A_position_beyond_the_stream_is_410()
    {
        using var response = await host.Http.GetAsync(host.Url("api/realtime/groups/987654321/messages?after=5"));
        await AssertProblemAsync(response, HttpStatusCode.Gone);
        var empty = await host.GetJsonAsync("api/realtime/groups/987654321/messages?after=0");
        Assert.Equal(0, empty.GetProperty("latest").GetInt64());
    }

    private static ReceivedMessage[] Group(RealtimeRecorder client, string eventId) =>
        client.Messages.Where(m => m.Payload.TryGetProperty("stream", out var s) && s.GetString() == $"event-{eventId}").ToArray();

    private Task<HttpResponseMessage> GetAsync(string path, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, host.Url(path));
        if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return host.Http.SendAsync(request);
    }

    /// <summary>Follows hasMore from <paramref name="after"/> to the end.</summary>
    private async Task<List<JsonElement>> ReadAllAfterAsync(string path, long after, string? token = null)
    {
        var messages = new List<JsonElement>();
        while (true)
        {
            using var response = await GetAsync($"{path}?after={after}", token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(after, page.GetProperty("after").GetInt64());
            messages.AddRange(page.GetProperty("messages").EnumerateArray().Select(m => m.Clone()));
            if (!page.GetProperty("hasMore").GetBoolean()) return messages;
            after = messages[^1].GetProperty("seq").GetInt64();
        }
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }
}

/// <summary>Two JSON texts are equal as values (member order aside): history is jsonb, which reorders members.</summary>
internal sealed class JsonEquivalence : IEqualityComparer<string>
{
    public static readonly JsonEquivalence Instance = new();
    public bool Equals(string? x, string? y) => System.Text.Json.Nodes.JsonNode.DeepEquals(
        x is null ? null : System.Text.Json.Nodes.JsonNode.Parse(x), y is null ? null : System.Text.Json.Nodes.JsonNode.Parse(y));
    public int GetHashCode(string obj) => 0;
}
