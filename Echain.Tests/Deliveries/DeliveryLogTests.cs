using System.Net;
using System.Text;
using System.Text.Json;
using Echain.Tests.Infrastructure;
using Npgsql;

namespace Echain.Tests.Deliveries;

/// <summary>The delivery log on the standalone host: search, replay exactly once, the body cap, retention and no secrets.</summary>
public sealed class DeliveryLogTests(DeliveryLogHost host) : IClassFixture<DeliveryLogHost>
{
    private static readonly DateTimeOffset Start = new(2027, 9, 1, 20, 0, 0, TimeSpan.Zero);

    private static bool IsUpdate(JsonElement payload, string title) =>
        payload.GetProperty("updates").TryGetProperty("title", out var t) && t.GetString() == title;

    [Fact]
    public async Task An_accepted_and_a_rejected_delivery_of_one_transaction_are_found_by_hash_and_the_rejected_replays_exactly_once()
    {
        var organizer = await host.Ledger.NewWalletAsync();
        var created = await host.Ledger.CreateEventAsync(organizer, "Logged", "", Start, Start.AddHours(1), 5, 1);
        await host.Webhooks.SendAllAsync(created.Deliveries);
        await host.DrainedAsync();
        var eventId = created.EventId.ToString();
        await using var client = await host.ConnectAsync(null, eventId);

        var update = await host.Ledger.UpdateEventAsync(organizer, created.EventId, "Replayed", "", Start, Start.AddHours(1), 1);
        var body = Assert.Single(update.Deliveries).ToJson();
        var (refused, _) = await DeliveryLog.SendSignedAsync(host, body, "not-the-secret");
        Assert.Equal(HttpStatusCode.Unauthorized, refused);
        var rejected = Assert.Single(await DeliveryLog.EventuallyAsync(host, update.Hash, 1));
        Assert.Equal((401, "unauthorized"), (rejected.GetProperty("status").GetInt32(), rejected.GetProperty("outcome").GetString()));
        Assert.Equal(Encoding.UTF8.GetString(body), rejected.GetProperty("body").GetString());
        Assert.Equal(body.Length, rejected.GetProperty("bodyBytes").GetInt32());
        Assert.False(rejected.GetProperty("truncated").GetBoolean());
        Assert.Empty(rejected.GetProperty("eventKeys").EnumerateArray());
        Assert.Contains("x-event-id", rejected.GetProperty("signedHeaders").EnumerateArray().Select(h => h.GetString()));
        Assert.Equal("Logged", (await host.GetJsonAsync($"api/events/{eventId}")).GetProperty("title").GetString());
        await Task.Delay(20);
        var afterRejected = DateTimeOffset.UtcNow;
        await Task.Delay(20);

        // The replay skips the signature: parsed, validated, queued, applied, one event-updated message.
        var rejectedId = rejected.GetProperty("id").GetInt64();
        var queued = await host.QueuedTotalAsync();
        var (replayStatus, receipt) = await DeliveryLog.AdminAsync(host, HttpMethod.Post, $"api/admin/deliveries/{rejectedId}/replay");
        Assert.Equal(HttpStatusCode.Accepted, replayStatus);
        Assert.Equal(1, receipt.GetProperty("accepted").GetInt32());
        Assert.Equal(queued + 1, await host.QueuedTotalAsync());
        await host.DrainedAsync();
        Assert.Equal("Replayed", (await host.GetJsonAsync($"api/events/{eventId}")).GetProperty("title").GetString());
        await client.WaitForAsync("event-updated", p => IsUpdate(p, "Replayed"));

        // Again: queued, but the projector has applied it already, so nothing changes and nothing is sent.
        var (again, _) = await DeliveryLog.AdminAsync(host, HttpMethod.Post, $"api/admin/deliveries/{rejectedId}/replay");
        Assert.Equal(HttpStatusCode.Accepted, again);
        await host.DrainedAsync();
        // Coinbase's own (signed) delivery of the same log is accepted and changes nothing either.
        Assert.Equal(HttpStatusCode.Accepted, (await DeliveryLog.SendSignedAsync(host, body, EchainTestHost.Secret)).Status);
        await host.DrainedAsync();
        // A later update to the same group: had the repeats sent anything, it would have arrived before this one.
        await host.Webhooks.SendAllAsync(await host.Ledger.UpdateEventAsync(organizer, created.EventId, "Marker", "", Start, Start.AddHours(1), 1));
        await client.WaitForAsync("event-updated", p => IsUpdate(p, "Marker"));
        Assert.Single(client.Messages, m => m.Target == "event-updated" && IsUpdate(m.Payload, "Replayed"));
        Assert.Equal("Marker", (await host.GetJsonAsync($"api/events/{eventId}")).GetProperty("title").GetString());

        // Newest first: Coinbase's accepted delivery, the two replays (replayOf the rejected one), the rejected one.
        var all = await DeliveryLog.EventuallyAsync(host, update.Hash, 4);
        Assert.Equal([202, 202, 202, 401], all.Select(d => d.GetProperty("status").GetInt32()));
        Assert.Equal(all.Select(d => d.GetProperty("id").GetInt64()).OrderDescending(), all.Select(d => d.GetProperty("id").GetInt64()));
        Assert.Equal(JsonValueKind.Null, all[0].GetProperty("replayOf").ValueKind);
        Assert.All(all[1..3], d => Assert.Equal(rejectedId, d.GetProperty("replayOf").GetInt64()));
        var key = Assert.Single(all[0].GetProperty("eventKeys").EnumerateArray()).GetString();
        Assert.Contains(update.Hash.ToLowerInvariant(), key!.ToLowerInvariant());

        var hash = $"transactionHash={update.Hash.ToUpperInvariant().Replace("0X", "0x")}";
        Assert.Equal([rejectedId], (await DeliveryLog.ListAsync(host, $"{hash}&status=401")).Select(d => d.GetProperty("id").GetInt64()));
        Assert.Equal(3, (await DeliveryLog.ListAsync(host, $"{hash}&status=202")).Length);
        var since = Uri.EscapeDataString(afterRejected.ToString("O"));
        Assert.Equal(3, (await DeliveryLog.ListAsync(host, $"{hash}&from={since}")).Length);
        Assert.Equal([rejectedId], (await DeliveryLog.ListAsync(host, $"{hash}&to={since}")).Select(d => d.GetProperty("id").GetInt64()));

        // Pages of two: the cursor continues where the first page ended, and the last page says there is no next.
        var (_, first) = await DeliveryLog.AdminAsync(host, HttpMethod.Get, $"api/admin/deliveries?{hash}&limit=2");
        var next = first.GetProperty("next").GetInt64();
        var (_, second) = await DeliveryLog.AdminAsync(host, HttpMethod.Get, $"api/admin/deliveries?{hash}&limit=2&before={next}");
        Assert.Equal(all.Select(d => d.GetProperty("id").GetInt64()),
            first.GetProperty("deliveries").EnumerateArray().Concat(second.GetProperty("deliveries").EnumerateArray()).Select(d => d.GetProperty("id").GetInt64()));
        Assert.Equal(JsonValueKind.Null, second.GetProperty("next").ValueKind);
    }

    [Theory]
    [InlineData("transactionHash=0x12", "transactionHash")]
    [InlineData("status=abc", "status")]
    [InlineData("status=99", "status")]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2027-13-01T00:00:00Z", "to")]
    [InlineData("from=2027-05-02T00:00:00Z&to=2027-05-01T00:00:00Z", "from")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=1001", "limit")]
    [InlineData("before=-1", "before")]
    public async Task A_bad_search_parameter_is_400_naming_it(string query, string field)
    {
        var (status, problem) = await DeliveryLog.AdminAsync(host, HttpMethod.Get, "api/admin/deliveries?" + query);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Replay_answers_400_for_a_bad_id_404_for_an_unknown_one_and_401_without_the_key()
    {
        var (bad, problem) = await DeliveryLog.AdminAsync(host, HttpMethod.Post, "api/admin/deliveries/abc/replay");
        Assert.Equal((HttpStatusCode.BadRequest, "id"), (bad, problem.GetProperty("field").GetString()));
        var (unknown, notFound) = await DeliveryLog.AdminAsync(host, HttpMethod.Post, $"api/admin/deliveries/{long.MaxValue}/replay");
        Assert.Equal(HttpStatusCode.NotFound, unknown);
        Assert.Equal(404, notFound.GetProperty("status").GetInt32());
        foreach (var (method, path) in new[] { (HttpMethod.Get, "api/admin/deliveries"), (HttpMethod.Post, "api/admin/deliveries/1/replay") })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await DeliveryLog.AdminAsync(host, method, path, key: "wrong")).Status);
            Assert.Equal(HttpStatusCode.Unauthorized, (await DeliveryLog.AdminAsync(host, method, path, key: null)).Status);
        }
    }

    [Fact]
    public async Task A_body_over_MaxBodyBytes_is_kept_cut_and_marked_and_its_replay_is_409_as_is_a_413_one()
    {
        var hash = TestHash();
        var body = Encoding.UTF8.GetBytes($$"""{"transaction_hash":"{{hash}}","padding":"{{new string('x', 3 * DeliveryLogHost.MaxBodyBytes)}}"}""");
        Assert.Equal(HttpStatusCode.Unauthorized, (await DeliveryLog.SendSignedAsync(host, body, "not-the-secret")).Status);
        var stored = Assert.Single(await DeliveryLog.EventuallyAsync(host, hash, 1));
        Assert.True(stored.GetProperty("truncated").GetBoolean());
        Assert.Equal(body.Length, stored.GetProperty("bodyBytes").GetInt32());
        Assert.Equal(Encoding.UTF8.GetString(body, 0, DeliveryLogHost.MaxBodyBytes), stored.GetProperty("body").GetString());

        var queued = await host.QueuedTotalAsync();
        var (status, problem) = await DeliveryLog.AdminAsync(host, HttpMethod.Post, $"api/admin/deliveries/{stored.GetProperty("id").GetInt64()}/replay");
        Assert.Equal(HttpStatusCode.Conflict, status);
        Assert.Equal(409, problem.GetProperty("status").GetInt32());
        Assert.Equal(queued, await host.QueuedTotalAsync());

        // Over the webhook's own limit: 413 before the body is read, so the log has no body (nor a hash) to replay.
        var since = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddMilliseconds(-20).ToString("O"));
        var huge = Encoding.UTF8.GetBytes($$"""{"transaction_hash":"{{TestHash()}}","padding":"{{new string('x', DeliveryLogHost.WebhookMaxBodyBytes)}}"}""");
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await DeliveryLog.SendSignedAsync(host, huge, EchainTestHost.Secret)).Status);
        JsonElement tooLarge = default;
        await Eventually.TrueAsync(async () =>
        {
            var found = (await DeliveryLog.ListAsync(host, $"status=413&from={since}")).ToArray();
            if (found.Length == 1) tooLarge = found[0];
            return found.Length == 1;
        }, "the 413 delivery to be logged");
        Assert.Equal(("too-large", 0), (tooLarge.GetProperty("outcome").GetString(), tooLarge.GetProperty("bodyBytes").GetInt32()));
        Assert.Equal(HttpStatusCode.Conflict,
            (await DeliveryLog.AdminAsync(host, HttpMethod.Post, $"api/admin/deliveries/{tooLarge.GetProperty("id").GetInt64()}/replay")).Status);
        Assert.Equal(queued, await host.QueuedTotalAsync());
    }

    [Fact]
    public async Task Rows_older_than_RetentionDays_are_pruned_and_newer_ones_kept()
    {
        string old = TestHash(), recent = TestHash();
        foreach (var hash in new[] { old, recent })
            await DeliveryLog.SendSignedAsync(host, Encoding.UTF8.GetBytes($$"""{"transaction_hash":"{{hash}}"}"""), "not-the-secret");
        await DeliveryLog.EventuallyAsync(host, old, 1);
        await DeliveryLog.EventuallyAsync(host, recent, 1);

        await using var db = NpgsqlDataSource.Create(host.Postgres.ConnectionString(host.DatabaseName));
        await using (var command = db.CreateCommand(
            "UPDATE webhook_deliveries SET received_at = now() - interval '7 days 1 minute' WHERE transaction_hashes @> ARRAY[$1]"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = old });
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }
        await Eventually.TrueAsync(async () => (await DeliveryLog.ListAsync(host, $"transactionHash={old}")).Length == 0,
            "the pruner to delete the row past the retention");
        Assert.Single(await DeliveryLog.ListAsync(host, $"transactionHash={recent}"));
    }

    [Fact]
    public async Task No_header_value_is_stored_only_the_names_the_signature_covered()
    {
        var hash = TestHash();
        var body = Encoding.UTF8.GetBytes($$"""{"transaction_hash":"{{hash}}","event_name":"Nothing"}""");
        var (_, signature) = await DeliveryLog.SendSignedAsync(host, body, EchainTestHost.Secret, ("X-Private-Note", "do-not-store-me"));
        var stored = Assert.Single(await DeliveryLog.EventuallyAsync(host, hash, 1));
        Assert.Equal(["content-type", "x-event-id"], stored.GetProperty("signedHeaders").EnumerateArray().Select(h => h.GetString()).Order());

        await using var db = NpgsqlDataSource.Create(host.Postgres.ConnectionString(host.DatabaseName));
        var rows = await DeliveryLog.RowsAsync(db);
        var row = Assert.Single(rows, r => r.Contains(hash, StringComparison.Ordinal) || r.Contains(Convert.ToHexStringLower(Encoding.UTF8.GetBytes(hash))));
        var hook0 = signature.Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        foreach (var secret in new[] { signature, hook0["v0"], hook0["v1"], EchainTestHost.Secret, "do-not-store-me" })
            Assert.All(rows, r => Assert.DoesNotContain(secret, r, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain("x-hook0-signature", row, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("x-private-note", row, StringComparison.OrdinalIgnoreCase);
    }

    private static string TestHash() => "0x" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
}
