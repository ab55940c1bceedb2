using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Echain.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace Echain.Tests.EndToEnd;

/// <summary>Real transactions on a node, their CDP deliveries signed in → queue → PostgreSQL → cache → SignalR out, on the real standalone host.</summary>
public sealed class PipelineTests(EchainTestHost host) : IClassFixture<EchainTestHost>
{
    private static readonly DateTimeOffset Start = new(2026, 12, 24, 19, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_purchase_reaches_the_event_group_with_the_exact_payload_and_a_read_on_receipt_shows_it()
    {
        var organizer = await host.Ledger.NewWalletAsync();
        var buyer = await host.Ledger.NewWalletAsync();
        var created = await host.Ledger.CreateEventAsync(organizer, "Launch party", "Rooftop", Start, Start.AddHours(3), 100, 25_000_000);
        var eventId = created.EventId.ToString();
        await host.Webhooks.SendAllAsync(created.Deliveries);
        await host.DrainedAsync();

        // Warm the cache with the old state: the read after the message must not be answered from it.
        var before = await host.GetJsonAsync($"api/events/{eventId}");
        Assert.Equal(0, before.GetProperty("ticketsSold").GetInt64());
        Assert.Equal("hit", (await host.GetAsync($"api/events/{eventId}")).Headers.GetValues("X-Cache").Single());

        await using var client = await host.ConnectAsync(wallet: null, eventId);
        var readOnReceipt = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Connection.On<JsonElement>("ticket-purchased", async _ => readOnReceipt.TrySetResult(await host.GetJsonAsync($"api/events/{eventId}")));

        var purchase = await host.Ledger.BuyAsync(buyer, created.EventId, "VIP");
        await host.Webhooks.SendAllAsync(purchase.Deliveries);

        var tokenId = purchase.TokenId.ToString();
        var message = await client.WaitForAsync("ticket-purchased", p => p.GetProperty("ticketId").GetString() == tokenId);
        // Its position in the group's stream comes after the creation's message (RealtimeSequenceTests checks the numbering).
        var seq = message.Payload.GetProperty("seq").GetInt64();
        Assert.True(seq > 1, $"seq {seq}");
        Assert.Equal(
            JsonSerializer.Serialize(new { ticketId = tokenId, buyer = buyer.Address, eventId, stream = $"event-{eventId}", seq }),
            message.Payload.GetRawText());
        var after = await readOnReceipt.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1, after.GetProperty("ticketsSold").GetInt64());
        Assert.Equal("99", after.GetProperty("available").GetString());

        var tickets = await host.GetJsonAsync($"api/events/{eventId}/tickets");
        var ticket = Assert.Single(tickets.GetProperty("items").EnumerateArray());
        Assert.Equal(buyer.Address, ticket.GetProperty("owner").GetString());
        Assert.Equal("VIP", ticket.GetProperty("ticketType").GetString());
        Assert.Equal("25000000", ticket.GetProperty("price").GetString());
    }

    [Fact]
    public async Task User_messages_reach_only_the_signed_in_wallet()
    {
        var organizer = await host.Ledger.NewWalletAsync();
        var buyer = await host.Ledger.NewWalletAsync();
        // On chain first, so the clients can join the event's group before its deliveries arrive.
        var created = await host.Ledger.CreateEventAsync(organizer, "Jazz", "Club", Start, Start.AddHours(2), 10, 1);
        var purchase = await host.Ledger.BuyAsync(buyer, created.EventId, "General");
        var eventId = created.EventId.ToString();
        await using var buyerClient = await host.ConnectAsync(buyer.Address, eventId);
        await using var stranger = await host.ConnectAsync(TestLedger.RandomAddress(), eventId);
        await using var anonymous = await host.ConnectAsync(null, eventId);

        await host.Webhooks.SendAllAsync(created.Deliveries);
        await host.Webhooks.SendAllAsync(purchase.Deliveries);

        var notification = await buyerClient.WaitForAsync("notification", p => p.GetProperty("type").GetString() == "ticket-purchased");
        Assert.Equal(buyer.Address, notification.Payload.GetProperty("userId").GetString());
        // Minted the price, then paid it: the last balance message is the chain's balance, in whichever order they applied.
        var onChain = (await host.Ledger.State.UsdcBalanceAsync(buyer.Address)).ToString();
        await buyerClient.WaitForAsync("balance-updated", p => p.GetProperty("userId").GetString() == buyer.Address
            && p.GetProperty("balance").GetString() == onChain);

        // Everyone in the group sees the purchase; only the buyer saw the buyer's messages.
        await stranger.WaitForAsync("ticket-purchased", p => p.GetProperty("eventId").GetString() == eventId);
        await anonymous.WaitForAsync("ticket-purchased", p => p.GetProperty("eventId").GetString() == eventId);
        await host.DrainedAsync();
        Assert.DoesNotContain(stranger.Messages, m => m.Target is "notification" or "balance-updated");
        Assert.DoesNotContain(anonymous.Messages, m => m.Target is "notification" or "balance-updated");
    }

    [Fact]
    public async Task A_resale_moves_the_ticket_between_wallets_and_both_histories_show_it()
    {
        var organizer = await host.Ledger.NewWalletAsync();
        var alice = await host.Ledger.NewWalletAsync();
        var bob = await host.Ledger.NewWalletAsync();
        var created = await host.Ledger.CreateEventAsync(organizer, "Derby", "Stadium", Start, Start.AddHours(2), 10, 5);
        await host.Webhooks.SendAllAsync(created.Deliveries);
        await host.Webhooks.SendAllAsync(await host.Ledger.FundAsync(bob, 100));
        var purchase = await host.Ledger.BuyAsync(alice, created.EventId, "General");
        await host.Webhooks.SendAllAsync(purchase.Deliveries);
        await host.DrainedAsync();
        Assert.Single((await host.GetJsonAsync($"api/users/{alice.Address}/tickets")).GetProperty("items").EnumerateArray());

        await host.Webhooks.SendAllAsync((await host.Ledger.ResellAsync(alice, bob, purchase.TokenId, 30)).Deliveries);
        await host.DrainedAsync();

        Assert.Empty((await host.GetJsonAsync($"api/users/{alice.Address}/tickets")).GetProperty("items").EnumerateArray());
        var bobs = Assert.Single((await host.GetJsonAsync($"api/users/{bob.Address}/tickets")).GetProperty("items").EnumerateArray());
        Assert.Equal(purchase.TokenId.ToString(), bobs.GetProperty("tokenId").GetString());
        Assert.Equal("Derby", bobs.GetProperty("event").GetProperty("title").GetString());
        var bobBalance = Assert.Single((await host.GetJsonAsync($"api/users/{bob.Address}/balances")).GetProperty("items").EnumerateArray());
        Assert.Equal(host.Deployment.PaymentToken, bobBalance.GetProperty("token").GetString());
        Assert.Equal("70", bobBalance.GetProperty("balance").GetString());
        Assert.Equal((await host.Ledger.State.UsdcBalanceAsync(bob.Address)).ToString(), bobBalance.GetProperty("balance").GetString());

        // Newest first: the resale (ticket, then its payment), the purchase (mint, payment), the funding mint.
        var history = (await host.GetJsonAsync($"api/users/{alice.Address}/transactions")).GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(["ticket-transfer", "token-transfer", "ticket-mint", "token-transfer", "token-mint"],
            history.Select(t => t.GetProperty("kind").GetString()));
        Assert.Equal(created.EventId.ToString(), history[0].GetProperty("eventId").GetString());
        Assert.Equal("30", history[1].GetProperty("value").GetString());
    }

    [Fact]
    public async Task Leaving_an_event_group_stops_its_messages()
    {
        var organizer = await host.Ledger.NewWalletAsync();
        var left = await host.Ledger.CreateEventAsync(organizer, "Left", "x", Start, Start.AddHours(1), 1, 1);
        var stayed = await host.Ledger.CreateEventAsync(organizer, "Stayed", "x", Start, Start.AddHours(1), 1, 1);
        var (leftId, stayedId) = (left.EventId.ToString(), stayed.EventId.ToString());
        await using var client = await host.ConnectAsync(null, leftId, stayedId);
        using (var leave = new HttpRequestMessage(HttpMethod.Delete, host.Url($"api/realtime/groups/{leftId}"))
        {
            Content = JsonContent.Create(await client.MembershipAsync()),
        })
            Assert.Equal(HttpStatusCode.NoContent, (await host.Http.SendAsync(leave)).StatusCode);

        await host.Webhooks.SendAllAsync(left.Deliveries);
        await host.DrainedAsync(); // messages go out before the queue entry is acknowledged
        await host.Webhooks.SendAllAsync(stayed.Deliveries);
        await client.WaitForAsync("event-updated", p => p.GetProperty("eventId").GetString() == stayedId);
        Assert.DoesNotContain(client.Messages, m => m.Payload.GetProperty("eventId").GetString() == leftId);
    }

    [Fact]
    public async Task The_event_activity_lists_purchase_resale_and_check_in_with_block_times_and_a_read_on_receipt_shows_it()
    {
        var organizer = await host.Ledger.NewWalletAsync();
        var alice = await host.Ledger.NewWalletAsync();
        var bob = await host.Ledger.NewWalletAsync();
        var created = await host.Ledger.CreateEventAsync(organizer, "Open air", "Park", Start, Start.AddHours(5), 10, 5);
        var eventId = created.EventId.ToString();
        await host.Webhooks.SendAllAsync(created.Deliveries);
        await host.DrainedAsync();

        // Warm the cache with the empty history: the read after the message must not be answered from it.
        Assert.Empty((await host.GetJsonAsync($"api/events/{eventId}/activity?limit=20")).GetProperty("items").EnumerateArray());
        Assert.Equal("hit", (await host.GetAsync($"api/events/{eventId}/activity?limit=20")).Headers.GetValues("X-Cache").Single());

        await using var client = await host.ConnectAsync(wallet: null, eventId);
        var readOnReceipt = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        client.Connection.On<JsonElement>("ticket-purchased",
            async _ => readOnReceipt.TrySetResult(await host.GetJsonAsync($"api/events/{eventId}/activity?limit=20")));

        var buy = await host.Ledger.BuyAsync(alice, created.EventId, "General");
        await host.Webhooks.SendAllAsync(buy.Deliveries);
        var onReceipt = (await readOnReceipt.Task.WaitAsync(TimeSpan.FromSeconds(30))).GetProperty("items").EnumerateArray().ToArray();
        var purchase = Assert.Single(onReceipt, a => a.GetProperty("kind").GetString() == "purchase");
        Assert.Equal(alice.Address, purchase.GetProperty("buyer").GetString());

        await host.Webhooks.SendAllAsync(await host.Ledger.FundAsync(bob, 30));
        var resell = await host.Ledger.ResellAsync(alice, bob, buy.TokenId, 30);
        var use = await host.Ledger.CheckInAsync(organizer, buy.TokenId);
        await host.Webhooks.SendAllAsync(resell.Deliveries);
        await host.Webhooks.SendAllAsync(use);
        await host.DrainedAsync();

        var first = await host.GetJsonAsync($"api/events/{eventId}/activity?limit=2");
        var second = await host.GetJsonAsync($"api/events/{eventId}/activity?limit=2&cursor={first.GetProperty("nextCursor").GetString()}");
        Assert.Equal(JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
        var items = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).ToArray();
        Assert.Equal(["check-in", "transfer", "purchase", "mint"], items.Select(a => a.GetProperty("kind").GetString()));
        Assert.All(items, a => Assert.Equal(buy.TokenId.ToString(), a.GetProperty("tokenId").GetString()));
        var logs = new[] { use[0], resell.Transfer[0], buy.Purchase[2], buy.Purchase[1] };
        for (var i = 0; i < logs.Length; i++)
        {
            Assert.Equal(logs[i].TransactionHash, items[i].GetProperty("txHash").GetString());
            Assert.Equal(logs[i].LogIndex, items[i].GetProperty("logIndex").GetInt32());
            Assert.Equal(logs[i].BlockNumber, items[i].GetProperty("blockNumber").GetInt64());
            Assert.Equal(DateTimeOffset.Parse(logs[i].Timestamp, System.Globalization.CultureInfo.InvariantCulture),
                items[i].GetProperty("blockTime").GetDateTimeOffset());
        }
        Assert.Equal((alice.Address, bob.Address), (items[1].GetProperty("from").GetString(), items[1].GetProperty("to").GetString()));
        Assert.Equal("5", items[2].GetProperty("price").GetString());
        Assert.False(items[0].TryGetProperty("from", out _)); // absent, not null

        using var fresh = await host.GetAsync($"api/events/{eventId}/activity?limit=2");
        using var again = await host.GetAsync($"api/events/{eventId}/activity?limit=2", ifNoneMatch: fresh.Headers.ETag!.Tag);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        await AssertProblem("api/events/999999/activity", HttpStatusCode.NotFound, null);
        await AssertProblem($"api/events/{eventId}/activity?cursor=garbage", HttpStatusCode.BadRequest, "cursor");
        await AssertProblem($"api/events/{eventId}/activity?limit=0", HttpStatusCode.BadRequest, "limit");
        await AssertProblem("api/events/eighty/activity", HttpStatusCode.BadRequest, "eventId");
    }

    [Fact]
    public async Task Reads_answer_etags_with_304_and_bad_ids_with_problem_json()
    {
        var created = await host.Ledger.CreateEventAsync(await host.Ledger.NewWalletAsync(), "Expo", "Hall", Start, Start.AddHours(8), 1000, 0);
        var eventId = created.EventId.ToString();
        await host.Webhooks.SendAllAsync(created.Deliveries);
        await host.DrainedAsync();

        using var first = await host.GetAsync($"api/events/{eventId}");
        var etag = first.Headers.ETag!.Tag;
        using var again = await host.GetAsync($"api/events/{eventId}", ifNoneMatch: etag);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);

        await AssertProblem("api/events/not-a-number", HttpStatusCode.BadRequest, "eventId");
        await AssertProblem("api/users/0x123/tickets", HttpStatusCode.BadRequest, "address");
        await AssertProblem($"api/events/{eventId}/tickets?limit=201", HttpStatusCode.BadRequest, "limit");
        await AssertProblem($"api/events/{eventId}/tickets?cursor=garbage", HttpStatusCode.BadRequest, "cursor");
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
