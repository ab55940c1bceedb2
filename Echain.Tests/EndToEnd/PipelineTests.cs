using System.Net;
using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using Echain.Demo;
using Echain.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Echain.Tests.EndToEnd;

/// <summary>Signed webhook in → queue → PostgreSQL → cache → SignalR out, on the real standalone host.</summary>
public sealed class PipelineTests(EchainTestHost host) : IClassFixture<EchainTestHost>
{
    private static readonly DateTimeOffset Start = new(2026, 12, 24, 19, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_purchase_reaches_the_event_group_with_the_exact_payload_and_a_read_on_receipt_shows_it()
    {
        var eventId = new BigInteger(4242);
        var organizer = SimulatedChain.RandomAddress();
        var buyer = SimulatedChain.RandomAddress();
        await host.Webhooks.SendAllAsync(host.Chain.CreateEvent(eventId, organizer, "Launch party", "Rooftop", Start, Start.AddHours(3), 100, 25_000_000));
        await host.DrainedAsync();

        // Warm the cache with the old state: the read after the message must not be answered from it.
        var before = await host.GetJsonAsync("api/events/4242");
        Assert.Equal(0, before.GetProperty("ticketsSold").GetInt64());
        Assert.Equal("hit", (await host.GetAsync("api/events/4242")).Headers.GetValues("X-Cache").Single());

        await using var client = await host.ConnectAsync(wallet: null, "4242");
        var readOnReceipt = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Connection.On<JsonElement>("ticket-purchased", async _ => readOnReceipt.TrySetResult(await host.GetJsonAsync("api/events/4242")));

        await host.Webhooks.SendAllAsync(host.Chain.BuyTicket(eventId, 7, buyer, organizer, 25_000_000, "VIP"));

        var message = await client.WaitForAsync("ticket-purchased", p => p.GetProperty("ticketId").GetString() == "7");
        Assert.Equal(
            JsonSerializer.Serialize(new { ticketId = "7", buyer, eventId = "4242" }),
            message.Payload.GetRawText());
        var after = await readOnReceipt.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, after.GetProperty("ticketsSold").GetInt64());
        Assert.Equal("99", after.GetProperty("available").GetString());

        var tickets = await host.GetJsonAsync("api/events/4242/tickets");
        var ticket = Assert.Single(tickets.GetProperty("items").EnumerateArray());
        Assert.Equal(buyer, ticket.GetProperty("owner").GetString());
        Assert.Equal("VIP", ticket.GetProperty("ticketType").GetString());
        Assert.Equal("25000000", ticket.GetProperty("price").GetString());
    }

    [Fact]
    public async Task User_messages_reach_only_the_signed_in_wallet()
    {
        var eventId = new BigInteger(5151);
        var organizer = SimulatedChain.RandomAddress();
        var buyer = SimulatedChain.RandomAddress();
        await using var buyerClient = await host.ConnectAsync(buyer, "5151");
        await using var stranger = await host.ConnectAsync(SimulatedChain.RandomAddress(), "5151");
        await using var anonymous = await host.ConnectAsync(null, "5151");

        await host.Webhooks.SendAllAsync(host.Chain.CreateEvent(eventId, organizer, "Jazz", "Club", Start, Start.AddHours(2), 10, 1));
        await host.Webhooks.SendAllAsync(host.Chain.BuyTicket(eventId, 1, buyer, organizer, 1, "General"));

        var notification = await buyerClient.WaitForAsync("notification", p => p.GetProperty("type").GetString() == "ticket-purchased");
        Assert.Equal(buyer, notification.Payload.GetProperty("userId").GetString());
        var balance = await buyerClient.WaitForAsync("balance-updated", p => p.GetProperty("userId").GetString() == buyer);
        Assert.Equal("-1", balance.Payload.GetProperty("balance").GetString()); // history starts here: the spend is all we saw

        // Everyone in the group sees the purchase; only the buyer saw the buyer's messages.
        await stranger.WaitForAsync("ticket-purchased", p => p.GetProperty("eventId").GetString() == "5151");
        await anonymous.WaitForAsync("ticket-purchased", p => p.GetProperty("eventId").GetString() == "5151");
        await host.DrainedAsync();
        Assert.DoesNotContain(stranger.Messages, m => m.Target is "notification" or "balance-updated");
        Assert.DoesNotContain(anonymous.Messages, m => m.Target is "notification" or "balance-updated");
    }

    [Fact]
    public async Task A_resale_moves_the_ticket_between_wallets_and_both_histories_show_it()
    {
        var eventId = new BigInteger(6161);
        var organizer = SimulatedChain.RandomAddress();
        var alice = SimulatedChain.RandomAddress();
        var bob = SimulatedChain.RandomAddress();
        await host.Webhooks.SendAllAsync(host.Chain.CreateEvent(eventId, organizer, "Derby", "Stadium", Start, Start.AddHours(2), 10, 5));
        await host.Webhooks.SendAllAsync(host.Chain.PayUsdc(organizer, bob, 100));
        await host.Webhooks.SendAllAsync(host.Chain.BuyTicket(eventId, 61, alice, organizer, 5, "General"));
        await host.DrainedAsync();
        Assert.Single((await host.GetJsonAsync($"api/users/{alice}/tickets")).GetProperty("items").EnumerateArray());

        await host.Webhooks.SendAllAsync(host.Chain.Resell(61, alice, bob, 30));
        await host.DrainedAsync();

        Assert.Empty((await host.GetJsonAsync($"api/users/{alice}/tickets")).GetProperty("items").EnumerateArray());
        var bobs = Assert.Single((await host.GetJsonAsync($"api/users/{bob}/tickets")).GetProperty("items").EnumerateArray());
        Assert.Equal("61", bobs.GetProperty("tokenId").GetString());
        Assert.Equal("Derby", bobs.GetProperty("event").GetProperty("title").GetString());
        var bobBalance = Assert.Single((await host.GetJsonAsync($"api/users/{bob}/balances")).GetProperty("items").EnumerateArray());
        Assert.Equal(EchainTestHost.Usdc, bobBalance.GetProperty("token").GetString());
        Assert.Equal("70", bobBalance.GetProperty("balance").GetString());

        var history = (await host.GetJsonAsync($"api/users/{alice}/transactions")).GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(["ticket-transfer", "token-transfer", "ticket-mint", "token-transfer"], history.Select(t => t.GetProperty("kind").GetString()));
        Assert.Equal("6161", history[0].GetProperty("eventId").GetString());
        Assert.Equal("30", history[1].GetProperty("value").GetString());
    }

    [Fact]
    public async Task Leaving_an_event_group_stops_its_messages()
    {
        var organizer = SimulatedChain.RandomAddress();
        await using var client = await host.ConnectAsync(null, "8101", "8102");
        using (var leave = new HttpRequestMessage(HttpMethod.Delete, host.Url("api/realtime/groups/8101"))
        {
            Content = JsonContent.Create(new { connectionId = client.Connection.ConnectionId }),
        })
            Assert.Equal(HttpStatusCode.NoContent, (await host.Http.SendAsync(leave)).StatusCode);

        await host.Webhooks.SendAllAsync(host.Chain.CreateEvent(8101, organizer, "Left", "x", Start, Start.AddHours(1), 1, 1));
        await host.DrainedAsync(); // messages go out before the queue entry is acknowledged
        await host.Webhooks.SendAllAsync(host.Chain.CreateEvent(8102, organizer, "Stayed", "x", Start, Start.AddHours(1), 1, 1));
        await client.WaitForAsync("event-updated", p => p.GetProperty("eventId").GetString() == "8102");
        Assert.DoesNotContain(client.Messages, m => m.Payload.GetProperty("eventId").GetString() == "8101");
    }

    [Fact]
    public async Task The_event_activity_lists_purchase_resale_and_check_in_with_block_times_and_a_read_on_receipt_shows_it()
    {
        var eventId = new BigInteger(8181);
        var organizer = SimulatedChain.RandomAddress();
        var alice = SimulatedChain.RandomAddress();
        var bob = SimulatedChain.RandomAddress();
        await host.Webhooks.SendAllAsync(host.Chain.CreateEvent(eventId, organizer, "Open air", "Park", Start, Start.AddHours(5), 10, 5));
        await host.DrainedAsync();

        // Warm the cache with the empty history: the read after the message must not be answered from it.
        Assert.Empty((await host.GetJsonAsync("api/events/8181/activity?limit=20")).GetProperty("items").EnumerateArray());
        Assert.Equal("hit", (await host.GetAsync("api/events/8181/activity?limit=20")).Headers.GetValues("X-Cache").Single());

        await using var client = await host.ConnectAsync(wallet: null, "8181");
        var readOnReceipt = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Connection.On<JsonElement>("ticket-purchased",
            async _ => readOnReceipt.TrySetResult(await host.GetJsonAsync("api/events/8181/activity?limit=20")));

        var buy = host.Chain.BuyTicket(eventId, 81, alice, organizer, 5, "General");
        await host.Webhooks.SendAllAsync(buy);
        var onReceipt = (await readOnReceipt.Task.WaitAsync(TimeSpan.FromSeconds(30))).GetProperty("items").EnumerateArray().ToArray();
        var purchase = Assert.Single(onReceipt, a => a.GetProperty("kind").GetString() == "purchase");
        Assert.Equal(alice, purchase.GetProperty("buyer").GetString());

        var resell = host.Chain.Resell(81, alice, bob, 30);
        var use = host.Chain.UseTicket(81, organizer);
        await host.Webhooks.SendAllAsync(resell);
        await host.Webhooks.SendAllAsync(use);
        await host.DrainedAsync();

        var first = await host.GetJsonAsync("api/events/8181/activity?limit=2");
        var second = await host.GetJsonAsync($"api/events/8181/activity?limit=2&cursor={first.GetProperty("nextCursor").GetString()}");
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
        var items = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).ToArray();
        Assert.Equal(["check-in", "transfer", "purchase", "mint"], items.Select(a => a.GetProperty("kind").GetString()));
        Assert.All(items, a => Assert.Equal("81", a.GetProperty("tokenId").GetString()));
        var logs = new[] { use[0], resell[1], buy[2], buy[1] };
        for (var i = 0; i < logs.Length; i++)
        {
            Assert.Equal(logs[i].TransactionHash, items[i].GetProperty("txHash").GetString());
            Assert.Equal(logs[i].LogIndex, items[i].GetProperty("logIndex").GetInt32());
            Assert.Equal(logs[i].BlockNumber, items[i].GetProperty("blockNumber").GetInt64());
            Assert.Equal(DateTimeOffset.Parse(logs[i].Timestamp, System.Globalization.CultureInfo.InvariantCulture),
                items[i].GetProperty("blockTime").GetDateTimeOffset());
        }
        Assert.Equal((alice, bob), (items[1].GetProperty("from").GetString(), items[1].GetProperty("to").GetString()));
        Assert.Equal("5", items[2].GetProperty("price").GetString());
        Assert.False(items[0].TryGetProperty("from", out _)); // absent, not null

        using var fresh = await host.GetAsync("api/events/8181/activity?limit=2");
        using var again = await host.GetAsync("api/events/8181/activity?limit=2", ifNoneMatch: fresh.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        await AssertProblem("api/events/999999/activity", HttpStatusCode.NotFound, null);
        await AssertProblem("api/events/8181/activity?cursor=garbage", HttpStatusCode.BadRequest, "cursor");
        await AssertProblem("api/events/8181/activity?limit=0", HttpStatusCode.BadRequest, "limit");
        await AssertProblem("api/events/eighty/activity", HttpStatusCode.BadRequest, "eventId");
    }

    [Fact]
    public async Task Reads_answer_etags_with_304_and_bad_ids_with_problem_json()
    {
        var organizer = SimulatedChain.RandomAddress();
        await host.Webhooks.SendAllAsync(host.Chain.CreateEvent(7171, organizer, "Expo", "Hall", Start, Start.AddHours(8), 1000, 0));
        await host.DrainedAsync();

        using var first = await host.GetAsync("api/events/7171");
        var etag = first.Headers.ETag!.Tag;
        using var again = await host.GetAsync("api/events/7171", ifNoneMatch: etag);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);

        await AssertProblem("api/events/not-a-number", HttpStatusCode.BadRequest, "eventId");
        await AssertProblem("api/users/0x123/tickets", HttpStatusCode.BadRequest, "address");
        await AssertProblem("api/events/7171/tickets?limit=201", HttpStatusCode.BadRequest, "limit");
        await AssertProblem("api/events/7171/tickets?cursor=garbage", HttpStatusCode.BadRequest, "cursor");
        await AssertProblem("api/events/999999", HttpStatusCode.NotFound, null);
    }

    private async Task AssertProblem(string relative, HttpStatusCode status, string? field)
    {
        using var response = await host.GetAsync(relative);
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        if (field is not null) Assert.Equal(field, problem.GetProperty("field").GetString());
    }
}
