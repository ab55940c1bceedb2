using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Echain.Core.Webhooks;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.EndToEnd;

/// <summary>Every rejection of the real webhook endpoint: a clear problem+json and nothing queued.</summary>
public sealed class BadInputTests(EchainTestHost host) : IClassFixture<EchainTestHost>
{
    // Hand-written on purpose: these tests are about bytes. Only the contract is the host's, so the control is queued.
    private const string Template = """{"block_number":46218191,"contract_address":"{tickets}","event_name":"TicketUsed","event_signature":"TicketUsed(uint256)","log_index":3,"network":"base-mainnet","parameters":{"tokenId":"1"},"timestamp":"2026-05-19T21:22:10Z","transaction_from":"0x3e16d476d8df15e3e776eaa5a46f37ec44c830cd","transaction_hash":"0xa58e4471bcce875b1ea49cc0864a620d3a484b9b7c1b0b4fd18ce83f5b30e5e0","transaction_to":"{tickets}"}""";

    private string Body => Template.Replace("{tickets}", host.Deployment.TicketContract);

    [Fact]
    public async Task A_correct_delivery_is_accepted_and_queued() // the control: the rejections below differ only in what they break
    {
        using var response = await Post(Body, sign: true);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var receipt = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(1, receipt.GetProperty("accepted").GetInt32());
        Assert.Equal(_queuedBefore + 1, await host.QueuedTotalAsync());
        Assert.Single(receipt.GetProperty("ids").EnumerateArray());
    }

    [Fact]
    public async Task Missing_signature_is_401() =>
        await AssertRejected(await Post(Body, sign: false), HttpStatusCode.Unauthorized, "invalid-signature");

    [Fact]
    public async Task Tampered_body_is_401() =>
        await AssertRejected(await Post(Body, sign: true, tamper: b => b.Replace("\"tokenId\":\"1\"", "\"tokenId\":\"2\"")),
            HttpStatusCode.Unauthorized, "invalid-signature");

    [Fact]
    public async Task Wrong_secret_is_401() =>
        await AssertRejected(await Post(Body, sign: true, secret: "not-the-secret"), HttpStatusCode.Unauthorized, "invalid-signature");

    [Fact]
    public async Task Stale_signature_is_401() =>
        await AssertRejected(await Post(Body, sign: true, timestamp: DateTimeOffset.UtcNow.AddMinutes(-6)), HttpStatusCode.Unauthorized, "invalid-signature");

    [Fact]
    public async Task Malformed_json_is_400() =>
        await AssertRejected(await Post("{\"block_number\": 1,", sign: true), HttpStatusCode.BadRequest, "invalid-payload");

    [Fact]
    public async Task A_missing_field_is_400_naming_it()
    {
        var problem = await AssertRejected(await Post(Body.Replace("\"log_index\":3,", ""), sign: true), HttpStatusCode.BadRequest, "invalid-payload");
        Assert.Equal("log_index", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task An_oversized_body_is_413()
    {
        var huge = Body.Replace("\"TicketUsed\",", "\"TicketUsed\",\"padding\":\"" + new string('x', 1024 * 1024) + "\",");
        await AssertRejected(await Post(huge, sign: true), HttpStatusCode.RequestEntityTooLarge, "payload-too-large");
    }

    [Fact]
    public async Task A_non_json_content_type_is_415() =>
        await AssertRejected(await Post(Body, sign: true, contentType: "text/plain"), HttpStatusCode.UnsupportedMediaType, "unsupported-media-type");

    [Fact]
    public async Task Other_methods_are_405_with_allow()
    {
        _queuedBefore = await host.QueuedTotalAsync();
        using var response = await host.Http.GetAsync(host.Url("api/webhooks/coinbase"));
        await AssertRejected(response, HttpStatusCode.MethodNotAllowed, "method-not-allowed");
        Assert.Contains("POST", response.Content.Headers.Allow);
    }

    private long _queuedBefore = -1;

    private async Task<HttpResponseMessage> Post(string body, bool sign, string secret = EchainTestHost.Secret,
        DateTimeOffset? timestamp = null, Func<string, string>? tamper = null, string contentType = "application/json")
    {
        _queuedBefore = await host.QueuedTotalAsync();
        var signed = new List<KeyValuePair<string, string>> { new("content-type", contentType) };
        var request = new HttpRequestMessage(HttpMethod.Post, host.Url("api/webhooks/coinbase"))
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(tamper is null ? body : tamper(body))),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (sign)
            request.Headers.Add("X-Hook0-Signature", CoinbaseSignature.Sign(secret,
                (timestamp ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds(), signed, Encoding.UTF8.GetBytes(body)));
        return await host.Http.SendAsync(request);
    }

    private async Task<JsonElement> AssertRejected(HttpResponseMessage response, HttpStatusCode status, string problemType)
    {
        using (response)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
            Assert.EndsWith("/" + problemType, problem.GetProperty("type").GetString());
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
            // Nothing queued: the stream received no entry while this request was handled.
            Assert.True(_queuedBefore >= 0, "Post() records the queue total first");
            Assert.Equal(_queuedBefore, await host.QueuedTotalAsync());
            return problem.Clone();
        }
    }
}

/// <summary>Redis down: the webhook answers 503 (Coinbase retries), queues nothing, and reads keep working from Postgres.</summary>
public sealed class RedisOutageTests(EchainTestHost host) : IClassFixture<EchainTestHost>
{
    [Fact]
    public async Task Webhooks_get_503_and_reads_fall_back_to_postgres_while_redis_is_down()
    {
        var start = new DateTimeOffset(2027, 1, 1, 20, 0, 0, TimeSpan.Zero);
        var organizer = await host.Ledger.NewWalletAsync();
        var created = await host.Ledger.CreateEventAsync(organizer, "Outage party", "Basement", start, start.AddHours(1), 5, 1);
        var purchase = await host.Ledger.BuyAsync(await host.Ledger.NewWalletAsync(), created.EventId, "General");
        var eventPath = $"api/events/{created.EventId}";
        await host.Webhooks.SendAllAsync(created.Deliveries);
        await host.Webhooks.SendAllAsync(purchase.Deliveries);
        await host.DrainedAsync();
        Assert.Equal("miss", (await host.GetAsync(eventPath)).Headers.GetValues("X-Cache").Single());
        Assert.Equal("hit", (await host.GetAsync(eventPath)).Headers.GetValues("X-Cache").Single());
        // The check-in happens on chain while Redis is down; its delivery is what Coinbase keeps retrying.
        var checkIn = await host.Ledger.CheckInAsync(organizer, purchase.TokenId);

        host.Redis.Stop();
        try
        {
            var activity = checkIn.Single(a => a.EventName == "TicketUsed"); // not the MetadataUpdate that follows it
            // (Redis is the queue here, so "nothing queued" is certain; the retry below is what lands.)
            using var rejected = await host.Webhooks.SendAsync(activity);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, rejected.StatusCode);
            Assert.Equal("application/problem+json", rejected.Content.Headers.ContentType?.MediaType);

            using var read = await host.GetAsync(eventPath);
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            Assert.Equal("bypass", read.Headers.GetValues("X-Cache").Single());
            Assert.Equal("Outage party", JsonDocument.Parse(await read.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString());

            using var health = await host.GetAsync("api/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Equal("no-store", health.Headers.CacheControl?.ToString());
            var report = JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement;
            Assert.False(report.GetProperty("redis").GetProperty("ok").GetBoolean());
            Assert.True(report.GetProperty("postgres").GetProperty("ok").GetBoolean());
        }
        finally
        {
            host.Redis.Start();
        }

        // Back up: the rejected delivery was never queued, so Coinbase's retry is what applies it.
        await Eventually.TrueAsync(async () => (await host.GetAsync("api/health")).StatusCode == HttpStatusCode.OK, "health to recover");
        await Eventually.TrueAsync(async () =>
        {
            try { await host.QueuedTotalAsync(); return true; }
            catch (StackExchange.Redis.RedisConnectionException) { return false; } // the test's own client reconnects on its own schedule
        }, "the test's Redis client to reconnect");
        var queued = await host.QueuedTotalAsync();
        await host.Webhooks.SendAllAsync(checkIn);
        Assert.Equal(queued + 1, await host.QueuedTotalAsync());
        await host.DrainedAsync();
        var ticket = Assert.Single((await host.GetJsonAsync($"{eventPath}/tickets")).GetProperty("items").EnumerateArray());
        Assert.Equal(await host.Ledger.State.IsUsedAsync(purchase.TokenId), ticket.GetProperty("isUsed").GetBoolean());
    }
}
