using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Echain.Core.Health;
using Echain.Demo.Chain;
using Echain.Tests.FunctionsHost;
using Echain.Tests.Infrastructure;
using Echain.Tests.Subgraph;

namespace Echain.Tests.EndToEnd;

/// <summary>A standalone host over a PostgreSQL cluster of its own, so that stopping it disturbs no other test.</summary>
public sealed class OwnPostgresTestHost : EchainTestHost
{
    public OwnPostgresTestHost() => PrivatePostgres = true;
}

/// <summary>The same app as an Azure Functions custom handler (the host forwards the HTTP routes to it), its own cluster too.</summary>
public sealed class OwnPostgresFunctionsTestHost() : FunctionsTestHost(privatePostgres: true);

public sealed class StandaloneOutageAnswerTests(OwnPostgresTestHost host) : OutageAnswerTests(host, adminRoutes: true), IClassFixture<OwnPostgresTestHost>
{
    /// <summary>Standalone, Redis is the queue: the webhook's own 503 carries Retry-After like every other.</summary>
    [Fact]
    public async Task A_webhook_while_redis_is_down_is_503_with_retry_after()
    {
        var created = await host.Ledger.CreateEventAsync(await host.Ledger.NewWalletAsync(), "No queue", "", Start, Start.AddHours(1), 1, 1);
        host.Redis.Stop();
        try
        {
            using var response = await host.Webhooks.SendAsync(created.Deliveries.Single());
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        }
        finally
        {
            host.Redis.Start();
        }
        await Eventually.TrueAsync(async () => (await host.GetAsync("api/health")).StatusCode == HttpStatusCode.OK, "health to recover");
    }

    protected override async Task ApplyAsync(IReadOnlyList<CdpActivity> deliveries)
    {
        await host.Webhooks.SendAllAsync(deliveries);
        await host.DrainedAsync();
    }
}

public sealed class FunctionsOutageAnswerTests(OwnPostgresFunctionsTestHost host) : OutageAnswerTests(host, adminRoutes: false), IClassFixture<OwnPostgresFunctionsTestHost>
{
    /// <summary>As the Functions host runs them: CoinbaseWebhook, then ProcessChainEvent per outEvents item.</summary>
    protected override async Task ApplyAsync(IReadOnlyList<CdpActivity> deliveries)
    {
        foreach (var activity in deliveries)
        {
            var ingest = await host.InvokeAsync("CoinbaseWebhook", new JsonObject { ["req"] = ClientRequest.SignedWebhook(activity).ToFunctionsReq() });
            Assert.True(ingest.ResStatus == "202", ingest.Text);
            foreach (var message in ingest.Array("outEvents") ?? [])
                Assert.Equal(HttpStatusCode.OK, (await host.InvokeAsync("ProcessChainEvent", new JsonObject { ["message"] = message!.DeepClone() },
                    ServiceBusDelivery.Metadata(Guid.NewGuid().ToString("N"), 1))).Status);
        }
    }
}

/// <summary>
/// What clients get while a dependency is down: 503 problem+json with Retry-After for a read that needs PostgreSQL,
/// the cached answer where Redis has one, and a health report with a fixed reason per dependency, never exception text.
/// </summary>
/// <param name="adminRoutes">whether this host serves the admin routes (standalone: its dead letters live in Redis).</param>
public abstract class OutageAnswerTests(EchainTestHost host, bool adminRoutes)
{
    protected static readonly DateTimeOffset Start = new(2027, 3, 1, 20, 0, 0, TimeSpan.Zero);

    /// <summary>What a public answer must never carry: client library names, versions, exception types, stack frames.</summary>
    private static readonly string[] Internals = ["Npgsql", "StackExchange", "version", "Exception", " at ", "127.0.0.1", "SocketError"];

    private static readonly string[] Phrases =
    [
        OutageReason.ConnectionRefused, OutageReason.Timeout, OutageReason.AuthenticationFailed, OutageReason.NotConnected,
        OutageReason.StartingUp, OutageReason.ShuttingDown, OutageReason.TooManyConnections, OutageReason.Unreachable,
        OutageReason.ConnectionLost, OutageReason.Unexpected,
    ];

    [Fact]
    public async Task While_postgres_is_down_uncached_reads_answer_503_with_retry_after_and_cached_reads_200()
    {
        var organizer = await host.Ledger.NewWalletAsync();
        var created = await host.Ledger.CreateEventAsync(organizer, "Blackout gig", "Cellar", Start, Start.AddHours(2), 10, 1);
        await ApplyAsync(created.Deliveries);
        var eventPath = $"api/events/{created.EventId}";
        Assert.Equal("miss", (await host.GetAsync(eventPath)).Headers.GetValues("X-Cache").Single());
        var graphEvent = $$"""{ event(id: "{{created.EventId}}") { title } }""";
        await host.QueryAsync(graphEvent);

        await host.Postgres.StopAsync();
        try
        {
            using var cached = await host.GetAsync(eventPath);
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
            Assert.Equal("hit", cached.Headers.GetValues("X-Cache").Single());
            Assert.Equal("Blackout gig", JsonDocument.Parse(await cached.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString());

            // The subgraph the same way: its cached entry answers, a query never asked is the same 503.
            Assert.Equal("Blackout gig", (await host.QueryAsync(graphEvent)).GetProperty("event").GetProperty("title").GetString());
            var wallet = (await host.Ledger.NewWalletAsync()).Address.ToLowerInvariant();
            await AssertUnavailableAsync(await host.PostGraphQLAsync($$"""{ tickets(where: { owner: "{{wallet}}" }) { id } }"""), "POST api/graphql");

            // Never read before, so only PostgreSQL can answer them: events, users, realtime history, the chain's checkpoint.
            foreach (var path in new[] { $"{eventPath}/tickets", $"api/users/{wallet}/tickets", $"api/users/{wallet}/balances",
                         $"api/realtime/groups/{created.EventId}/messages?after=0", "api/events?limit=7", "api/chain" })
                await AssertUnavailableAsync(await host.GetAsync(path), path);

            using var health = await host.GetAsync("api/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            var text = await health.Content.ReadAsStringAsync();
            AssertNoInternals(text);
            var report = JsonDocument.Parse(text).RootElement;
            Assert.Equal("unhealthy", report.GetProperty("status").GetString());
            AssertDown(report.GetProperty("postgres"));
            Assert.Equal("up", report.GetProperty("redis").GetProperty("status").GetString());
        }
        finally
        {
            await host.Postgres.StartAsync();
        }

        // Back: the same read answers from PostgreSQL again, without a restart of the app.
        await Eventually.TrueAsync(async () => (await host.GetAsync($"{eventPath}/tickets")).StatusCode == HttpStatusCode.OK, "reads to recover");
        var healthy = await host.GetJsonAsync("api/health");
        Assert.Equal("up", healthy.GetProperty("postgres").GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, healthy.GetProperty("postgres").GetProperty("reason").ValueKind);
    }

    [Fact]
    public async Task While_redis_is_down_health_says_so_with_a_fixed_reason_and_no_client_internals()
    {
        host.Redis.Stop();
        try
        {
            using var health = await host.GetAsync("api/health");
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            var text = await health.Content.ReadAsStringAsync();
            AssertNoInternals(text);
            var report = JsonDocument.Parse(text).RootElement;
            AssertDown(report.GetProperty("redis"));
            Assert.Equal("up", report.GetProperty("postgres").GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Null, report.GetProperty("queue").ValueKind);

            // Redis holds sign-in nonces and, standalone, the dead letters: the same 503 with Retry-After.
            await AssertUnavailableAsync(await host.GetAsync("api/auth/nonce"), "api/auth/nonce");
            if (adminRoutes)
            {
                using var deadLetters = new HttpRequestMessage(HttpMethod.Get, host.Url("api/admin/dead-letters"));
                deadLetters.Headers.Add("X-Echain-Admin-Key", EchainTestHost.AdminKey);
                await AssertUnavailableAsync(await host.Http.SendAsync(deadLetters), "api/admin/dead-letters");
            }
        }
        finally
        {
            host.Redis.Start();
        }
        await Eventually.TrueAsync(async () => (await host.GetAsync("api/health")).StatusCode == HttpStatusCode.OK, "health to recover");
    }

    /// <summary>Delivers and applies, as this host does.</summary>
    protected abstract Task ApplyAsync(IReadOnlyList<CdpActivity> deliveries);

    private static async Task AssertUnavailableAsync(HttpResponseMessage response, string path)
    {
        using var _ = response;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.ServiceUnavailable, $"GET {path}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("https://echain.dev/problems/service-unavailable", problem.GetProperty("type").GetString());
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        AssertNoInternals(text);
    }

    private static void AssertDown(JsonElement dependency)
    {
        Assert.Equal("down", dependency.GetProperty("status").GetString());
        Assert.False(dependency.GetProperty("ok").GetBoolean());
        Assert.Contains(dependency.GetProperty("reason").GetString(), Phrases);
        Assert.True(dependency.GetProperty("latencyMs").GetDouble() >= 0);
    }

    private static void AssertNoInternals(string text)
    {
        foreach (var internals in Internals)
            Assert.False(text.Contains(internals, StringComparison.OrdinalIgnoreCase), $"'{internals}' in the answer: {text}");
    }
}
