using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Echain.Tests.Infrastructure;
using Echain.Tests.Reconciliation;

namespace Echain.Tests.Realtime;

/// <summary>
/// Real messages against the schemas: the standalone app driven by signed webhooks and, for the undo paths, by two
/// reorgs on anvil the reconciler finds (evm_revert, other blocks at the same heights). Every message two signed-in
/// SignalR clients in the event's group receive, every connection-proof, and every payload the resume routes keep
/// must validate against its target's schema; every target and every event-updated shape must have been seen.
/// </summary>
public sealed class RealtimeSchemaConformanceTests : IAsyncLifetime
{
    private const int Confirmations = 8; // the whole scenario (7 blocks) stays reorganizable
    private const long Usdc = 1_000_000;
    private static readonly DateTimeOffset Start = new(2027, 10, 1, 19, 0, 0, TimeSpan.Zero);
    private readonly EchainTestHost _host = new EchainTestHost().Reconciling(Confirmations, TimeSpan.FromMilliseconds(300));

    public Task InitializeAsync() => _host.InitializeAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Every_message_of_a_ticket_lifecycle_and_its_undo_by_reorgs_conforms_live_and_in_the_resume_history()
    {
        var ledger = _host.Ledger;
        var (organizer, fan, friend) = (await ledger.NewWalletAsync(), await ledger.NewWalletAsync(), await ledger.NewWalletAsync());
        await _host.Webhooks.SendAllAsync([.. await ledger.FundAsync(fan, 100 * Usdc), .. await ledger.FundAsync(friend, 100 * Usdc)]);
        await _host.Anvil.MineAsync(Confirmations);
        await _host.ReconciledAsync(await ledger.HeadAsync() - Confirmations);

        var beforeEvent = await _host.Anvil.SnapshotAsync();
        var created = await ledger.CreateEventAsync(organizer, "Contract night", "Schemas", Start, Start.AddHours(2), 10, 20 * Usdc);
        var eventId = created.EventId.ToString();
        // Signed in and in the group: both the group's and the wallet's own messages arrive.
        await using var fanClient = await _host.ConnectAsync(fan.Address, eventId);
        await using var friendClient = await _host.ConnectAsync(friend.Address, eventId);
        await DeliverAsync(created.Deliveries);
        var purchase = await ledger.BuyAsync(fan, created.EventId, "VIP");
        await DeliverAsync(purchase.Deliveries);
        var ticketId = purchase.TokenId.ToString();
        await DeliverAsync((await ledger.ResellAsync(fan, friend, purchase.TokenId, 5 * Usdc)).Deliveries);

        var beforeUpdate = await _host.Anvil.SnapshotAsync();
        await DeliverAsync(await ledger.UpdateEventAsync(organizer, created.EventId, "Contract night (moved)", "Later", Start.AddDays(1), Start.AddDays(1).AddHours(2), 25 * Usdc));
        await DeliverAsync(await ledger.CheckInAsync(organizer, purchase.TokenId));
        var updated = await fanClient.WaitForAsync("event-updated", p => Updates(p).TryGetProperty("title", out var t) && t.GetString() == "Contract night (moved)");
        await fanClient.WaitForAsync("event-updated", p => Updates(p).TryGetProperty("ticketUsed", out var t) && t.GetString() == ticketId);

        // Reorg 1 drops the update and the check-in: the details change back, the check-in is reverted.
        await _host.Anvil.RevertAsync(beforeUpdate);
        await _host.Anvil.MineAsync(3);
        await fanClient.WaitForAsync("event-updated", p => Reverted(p) == (ticketId, "check-in"), 60);
        await fanClient.WaitForAsync("event-updated", p => Seq(p) > Seq(updated.Payload)
            && Updates(p).TryGetProperty("title", out var t) && t.GetString() == "Contract night", 60);

        // Reorg 2 drops the event itself, the purchase, the resale and their payments.
        await _host.Anvil.RevertAsync(beforeEvent);
        await _host.Anvil.MineAsync(Confirmations);
        await fanClient.WaitForAsync("event-updated", p => Updates(p).TryGetProperty("removed", out _), 60);
        await fanClient.WaitForAsync("event-updated", p => Reverted(p) == (ticketId, "purchase") && Updates(p).TryGetProperty("ticketsSold", out _), 60);
        await Eventually.TrueAsync(() => Task.FromResult(fanClient.Messages.Concat(friendClient.Messages)
            .Any(m => m.Target == "notification" && m.Payload.GetProperty("type").GetString() == "ticket-reverted")), "a ticket-reverted notification", 60);
        await _host.DrainedAsync();

        // Live: every message and proof conforms, and nothing was left out of the check.
        ReceivedMessage[] live = [.. fanClient.Messages, .. friendClient.Messages];
        foreach (var message in live) RealtimeContract.AssertValid(message.Target, message.Payload);
        var proofs = fanClient.ConnectionProofs.Concat(friendClient.ConnectionProofs).ToArray();
        Assert.NotEmpty(proofs);
        foreach (var proof in proofs) RealtimeContract.AssertValid("connection-proof", proof);
        Assert.Equal(RealtimeRecorder.Targets.Order(), live.Select(m => m.Target).Distinct().Order());
        Assert.Equal(["ticket-purchased", "ticket-reverted", "ticket-transferred"],
            live.Where(m => m.Target == "notification").Select(m => m.Payload.GetProperty("type").GetString()).Distinct().Order());
        var shapes = live.Where(m => m.Target == "event-updated").Select(m => Shape(m.Payload)).ToHashSet();
        // (Whether the mint's and the resale's undos name the ticket depends on whether the purchase's undo came first.)
        Assert.Superset(new HashSet<string> { "details", "ticketUsed", "reverted check-in", "reverted purchase + ticketsSold", "removed" }, shapes);
        Assert.All(live.Where(m => m.Target is "balance-updated" or "notification"),
            m => Assert.Equal($"user-{m.Payload.GetProperty("userId").GetString()}", m.Payload.GetProperty("stream").GetString()));

        // History: the same payloads, kept, conform too; the page itself conforms to history-page.json.
        var kept = new List<JsonElement>();
        kept.AddRange(await HistoryAsync($"api/realtime/groups/{eventId}/messages", null));
        foreach (var wallet in new[] { fan, friend })
            kept.AddRange(await HistoryAsync("api/realtime/me/messages", await _host.DevTokenAsync(wallet.Address)));
        foreach (var item in kept) RealtimeContract.AssertValid(item.GetProperty("target").GetString()!, item.GetProperty("payload"));
        Assert.Equal(RealtimeRecorder.Targets.Order(), kept.Select(m => m.GetProperty("target").GetString()).Distinct().Order());
        Assert.Contains(kept, m => m.GetProperty("target").GetString() == "event-updated" && Shape(m.GetProperty("payload")) == "removed");
    }

    private async Task DeliverAsync(IReadOnlyList<Demo.Chain.CdpActivity> deliveries)
    {
        await _host.Webhooks.SendAllAsync(deliveries);
        await _host.DrainedAsync();
    }

    /// <summary>Every page of the stream from seq 0, each checked against history-page.json; the items.</summary>
    private async Task<List<JsonElement>> HistoryAsync(string path, string? token)
    {
        var items = new List<JsonElement>();
        long after = 0;
        while (true)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, _host.Url($"{path}?after={after}"));
            if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await _host.Http.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await response.Content.ReadFromJsonAsync<JsonElement>();
            var problems = RealtimeContract.HistoryPageProblems(page);
            Assert.True(problems.Count == 0, $"{path}: {string.Join("; ", problems)}");
            items.AddRange(page.GetProperty("messages").EnumerateArray().Select(m => m.Clone()));
            if (!page.GetProperty("hasMore").GetBoolean()) break;
            after = items[^1].GetProperty("seq").GetInt64();
        }
        Assert.NotEmpty(items);
        return items;
    }

    private static JsonElement Updates(JsonElement payload) => payload.GetProperty("updates");

    private static long Seq(JsonElement payload) => payload.GetProperty("seq").GetInt64();

    private static (string?, string?) Reverted(JsonElement payload) =>
        Updates(payload).TryGetProperty("reverted", out var r) ? (r.GetProperty("ticketId").GetString(), r.GetProperty("kind").GetString()) : (null, null);

    /// <summary>Which of the event-updated shapes a payload is (the schema's oneOf, by what the producer meant).</summary>
    private static string Shape(JsonElement payload)
    {
        var updates = Updates(payload);
        if (updates.TryGetProperty("removed", out _)) return "removed";
        if (updates.TryGetProperty("ticketUsed", out _)) return "ticketUsed";
        if (updates.TryGetProperty("reverted", out var r))
            return $"reverted {r.GetProperty("kind").GetString()}" + (updates.TryGetProperty("ticketsSold", out _) ? " + ticketsSold" : "");
        if (updates.TryGetProperty("ticketsSold", out _)) return "ticketsSold";
        return "details";
    }
}
