using System.Diagnostics;
using System.Net;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Echain.Tests.Api;
using Echain.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Echain.Tests.Frontend;

/// <summary>
/// The real app with a small reads limit (5 a minute) and X-Forwarded-For trusted, so each test is its own client by
/// address; every other limit keeps its default, the webhook's among them.
/// </summary>
public sealed class RateLimitTests(RateLimitTests.SmallReadsHost host, ITestOutputHelper output) : IClassFixture<RateLimitTests.SmallReadsHost>
{
    public const int ReadLimit = 5;

    public sealed class SmallReadsHost : EchainTestHost
    {
        public SmallReadsHost()
        {
            Settings["Echain:RateLimits:Enabled"] = "true";
            Settings["Echain:RateLimits:Reads:PermitLimit"] = ReadLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Settings["Echain:RateLimits:Reads:Window"] = "00:01:00";
            Settings["Echain:RateLimits:TrustForwardedFor"] = "true";
            Settings["Echain:Cors:AllowedOrigins:0"] = CorsTests.Allowed;
        }
    }

    private async Task<HttpResponseMessage> ReadAsync(string path, string clientAddress, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, host.Url(path));
        // As a proxy appends: whatever the client claimed first, the proxy's own entry last.
        request.Headers.TryAddWithoutValidation("X-Forwarded-For", $"198.51.100.7, {clientAddress}");
        if (bearer is not null) request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + bearer);
        request.Headers.TryAddWithoutValidation("Origin", CorsTests.Allowed);
        return await host.Http.SendAsync(request);
    }

    private async Task<BigInteger> CreateEventAsync(string title)
    {
        var start = DateTimeOffset.UtcNow.AddDays(30);
        var created = await host.Ledger.CreateEventAsync(await host.Ledger.NewWalletAsync(), title, "Limits", start, start.AddHours(2), 10, 1_000_000);
        await host.Webhooks.SendAllAsync(created.Deliveries);
        await host.DrainedAsync();
        return created.EventId;
    }

    private static async Task AssertReadsPassAsync(Func<Task<HttpResponseMessage>> read, int count)
    {
        for (var i = 0; i < count; i++)
        {
            using var response = await read();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"read {i + 1}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task The_read_over_the_limit_is_429_problem_json_with_Retry_After_and_other_clients_and_kinds_are_untouched()
    {
        var eventId = await CreateEventAsync("Limited reads");
        await AssertReadsPassAsync(() => ReadAsync($"api/events/{eventId}", "203.0.113.10"), ReadLimit);

        using (var refused = await ReadAsync($"api/events/{eventId}", "203.0.113.10"))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("https://echain.dev/problems/too-many-requests", problem.GetProperty("type").GetString());
            Assert.Equal(429, problem.GetProperty("status").GetInt32());
            var retryAfter = int.Parse(Assert.Single(refused.Headers.GetValues("Retry-After")), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(retryAfter, 1, 60);
            // No read answer leaked into the refusal, and the browser app may read it (CORS runs before the limiter).
            Assert.False(refused.Headers.Contains("ETag"));
            Assert.Equal(CorsTests.Allowed, Assert.Single(refused.Headers.GetValues("Access-Control-Allow-Origin")));
            // The refusal is the one the API description promises for this route.
            var document = JsonNode.Parse(await host.Http.GetStringAsync(host.Url("openapi/v1.json")))!.AsObject();
            await DocumentedAnswers.AssertMatchesAsync(document, "GET", "/api/events/{eventId}", refused);
        }
        // Another address (the proxy's last entry decides, not the first one the client wrote) reads as before…
        using (var other = await ReadAsync($"api/events/{eventId}", "203.0.113.11"))
        {
            Assert.Equal(HttpStatusCode.OK, other.StatusCode);
            Assert.Contains("Limited reads", await other.Content.ReadAsStringAsync());
        }
        // …and the refused address still negotiates: each kind has its own limit.
        using var negotiate = new HttpRequestMessage(HttpMethod.Post, host.Url("api/negotiate"));
        negotiate.Headers.TryAddWithoutValidation("X-Forwarded-For", "203.0.113.10");
        using var negotiated = await host.Http.SendAsync(negotiate);
        Assert.Equal(HttpStatusCode.OK, negotiated.StatusCode);
    }

    [Fact]
    public async Task A_signed_in_wallet_has_its_own_partition_and_a_forged_token_falls_back_to_the_address()
    {
        var wallet = TestLedger.RandomAddress();
        var token = await host.DevTokenAsync(wallet);
        await AssertReadsPassAsync(() => ReadAsync("api/events", "203.0.113.20"), ReadLimit);
        using (var refused = await ReadAsync("api/events", "203.0.113.20"))
            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        // A token that does not validate is no partition of its own: still the exhausted address.
        using (var forged = await ReadAsync("api/events", "203.0.113.20", token[..^4] + "AAAA"))
            Assert.Equal(HttpStatusCode.TooManyRequests, forged.StatusCode);

        // The wallet, from that same address, has its full limit…
        await AssertReadsPassAsync(() => ReadAsync("api/events", "203.0.113.20", token), ReadLimit);
        // …and it follows the wallet, not the address: from a fresh address the wallet is refused now.
        using (var walletRefused = await ReadAsync("api/events", "203.0.113.21", token))
            Assert.Equal(HttpStatusCode.TooManyRequests, walletRefused.StatusCode);
        using var fresh = await ReadAsync("api/events", "203.0.113.21");
        Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
    }

    [Fact]
    public async Task A_burst_of_200_signed_deliveries_sent_at_once_is_all_accepted_under_the_default_webhook_limit()
    {
        var start = DateTimeOffset.UtcNow.AddDays(31);
        var created = await host.Ledger.CreateEventAsync(await host.Ledger.NewWalletAsync(), "Burst", "Webhook", start, start.AddHours(2), 10, 1_000_000);
        var delivery = created.Deliveries[^1];
        // Every one is a new CDP delivery (its own event id, signed now) from the one sending address.
        var clock = Stopwatch.StartNew();
        var answers = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => host.Webhooks.SendAsync(delivery)));
        clock.Stop();
        output.WriteLine($"200 signed deliveries answered in {clock.ElapsedMilliseconds} ms");
        try
        {
            Assert.All(answers, a => Assert.Equal(HttpStatusCode.Accepted, a.StatusCode));
        }
        finally
        {
            foreach (var answer in answers) answer.Dispose();
        }
        await host.DrainedAsync();
    }
}

/// <summary>Echain:RateLimits:Enabled=false: no request is ever refused 429, however many.</summary>
public sealed class RateLimitsDisabledTests(RateLimitsDisabledTests.DisabledHost host) : IClassFixture<RateLimitsDisabledTests.DisabledHost>
{
    public sealed class DisabledHost : EchainTestHost
    {
        public DisabledHost()
        {
            Settings["Echain:RateLimits:Enabled"] = "false";
            Settings["Echain:RateLimits:Reads:PermitLimit"] = "2";
            Settings["Echain:RateLimits:SignIn:PermitLimit"] = "2";
        }
    }

    [Fact]
    public async Task Disabled_never_answers_429()
    {
        for (var i = 0; i < 20; i++)
        {
            using var read = await host.GetAsync("api/events");
            Assert.Equal(HttpStatusCode.OK, read.StatusCode);
            using var nonce = await host.GetAsync("api/auth/nonce");
            Assert.Equal(HttpStatusCode.OK, nonce.StatusCode);
        }
    }
}

/// <summary>The webhook's own limit (3 a minute here): over it a signed delivery is 429 and nothing is queued.</summary>
public sealed class WebhookRateLimitTests(WebhookRateLimitTests.SmallWebhookHost host) : IClassFixture<WebhookRateLimitTests.SmallWebhookHost>
{
    public sealed class SmallWebhookHost : EchainTestHost
    {
        public SmallWebhookHost()
        {
            Settings["Echain:RateLimits:Enabled"] = "true";
            Settings["Echain:RateLimits:Webhook:PermitLimit"] = "3";
        }
    }

    [Fact]
    public async Task A_delivery_over_the_sources_limit_is_429_and_queues_nothing()
    {
        var start = DateTimeOffset.UtcNow.AddDays(32);
        var created = await host.Ledger.CreateEventAsync(await host.Ledger.NewWalletAsync(), "Few deliveries", "Webhook", start, start.AddHours(2), 10, 1_000_000);
        var delivery = created.Deliveries[^1];
        for (var i = 0; i < 3; i++)
        {
            using var accepted = await host.Webhooks.SendAsync(delivery);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }
        var queued = await host.QueuedTotalAsync();
        using var refused = await host.Webhooks.SendAsync(delivery);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(refused.Headers.RetryAfter);
        Assert.Equal(queued, await host.QueuedTotalAsync());
        // Not a frontend route: even the refusal has no CORS header.
        Assert.DoesNotContain(refused.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }
}
