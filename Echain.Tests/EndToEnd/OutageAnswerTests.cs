using System.Net;
using System.Text.Json;
using Echain.Core.Health;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.EndToEnd;

/// <summary>A standalone host over a PostgreSQL cluster of its own, so that stopping it disturbs no other test.</summary>
public sealed class OwnPostgresTestHost : EchainTestHost
{
    public OwnPostgresTestHost() => OwnsPostgresServer = true;
}

/// <summary>
/// What clients get while a dependency is down: 503 problem+json with Retry-After for a read that needs PostgreSQL,
/// the cached answer where Redis has one, and a health report with a fixed reason per dependency, never exception text.
/// </summary>
public sealed class OutageAnswerTests(OwnPostgresTestHost host) : IClassFixture<OwnPostgresTestHost>
{
    private static readonly DateTimeOffset Start = new(2027, 3, 1, 20, 0, 0, TimeSpan.Zero);

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
        await host.Webhooks.SendAllAsync(created.Deliveries);
        await host.DrainedAsync();
        var eventPath = $"api/events/{created.EventId}";
        Assert.Equal("miss", (await host.GetAsync(eventPath)).Headers.GetValues("X-Cache").Single());

        await host.Postgres.StopAsync();
        try
        {
            using var cached = await host.GetAsync(eventPath);
            Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
            Assert.Equal("hit", cached.Headers.GetValues("X-Cache").Single());
            Assert.Equal("Blackout gig", JsonDocument.Parse(await cached.Content.ReadAsStringAsync()).RootElement.GetProperty("title").GetString());

            // Never read before, so only PostgreSQL can answer them: events, users, realtime history.
            var wallet = (await host.Ledger.NewWalletAsync()).Address.ToLowerInvariant();
            foreach (var path in new[] { $"{eventPath}/tickets", $"api/users/{wallet}/tickets", $"api/users/{wallet}/balances",
                         $"api/realtime/groups/{created.EventId}/messages?after=0", "api/events?limit=7" })
                await AssertUnavailableAsync(path);

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
            await host.Postgres.RestartAsync();
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
        }
        finally
        {
            host.Redis.Start();
        }
        await Eventually.TrueAsync(async () => (await host.GetAsync("api/health")).StatusCode == HttpStatusCode.OK, "health to recover");
    }

    private async Task AssertUnavailableAsync(string path)
    {
        using var response = await host.GetAsync(path);
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
