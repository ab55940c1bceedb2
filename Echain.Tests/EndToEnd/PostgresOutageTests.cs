using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Echain.Core.Chain;
using Echain.Core.Queue;
using Echain.Demo.Chain;
using Echain.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;
using StackExchange.Redis;
using Xunit.Abstractions;

namespace Echain.Tests.EndToEnd;

/// <summary>
/// No stranding on the standalone host: a PostgreSQL outage, however long, only delays what was accepted; only a
/// log that can never apply is dead-lettered, after the limit's counted failures. Each test owns its PostgreSQL
/// server (it stops it), with a short visibility timeout, a low limit and a short backoff cap, so that under a
/// delivery-count policy every event would have dead-lettered many times over.
/// </summary>
public sealed class PostgresOutageTests(ITestOutputHelper output)
{
    private const int MaxDeliveries = 3;
    private const int Events = 200;
    private const string Group = "projectors";
    private const string DeadLetters = EchainTestHost.StreamName + ":dead";
    private const string ConsumerCategory = "Echain.Functions.Standalone.Queue.ChainEventConsumer";
    private static readonly TimeSpan BackoffMax = TimeSpan.FromSeconds(3);

    /// <summary>Six minutes, longer than the 4.5 minutes that stranded every event before; ECHAIN_TEST_OUTAGE_SECONDS shortens it while iterating.</summary>
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("ECHAIN_TEST_OUTAGE_SECONDS"), CultureInfo.InvariantCulture, out var seconds) ? seconds : 360);

    [Fact]
    public async Task A_six_minute_postgres_outage_strands_nothing()
    {
        var log = new LogCapture();
        await using var host = OutageHost(log);
        await host.InitializeAsync();
        using var redis = host.Redis.Connect();
        var db = redis.GetDatabase();

        var organizer = await host.Ledger.NewWalletAsync();
        var start = new DateTimeOffset(2027, 9, 1, 19, 0, 0, TimeSpan.Zero);
        var deliveries = new List<CdpActivity>();
        for (var i = 0; i < Events; i++)
            deliveries.AddRange((await host.Ledger.CreateEventAsync(organizer, $"Outage {i}", "kept", start, start.AddHours(2), 10, 1)).Deliveries);
        Assert.Equal(Events, deliveries.Count(d => d.EventName == "EventCreated"));

        await host.Postgres.StopAsync();
        var outage = Stopwatch.StartNew();
        await host.Webhooks.SendAllAsync(deliveries); // throws unless every one is answered 202
        Assert.Equal(deliveries.Count, await host.QueuedTotalAsync());

        while (outage.Elapsed < Outage)
        {
            Assert.Equal(0, await db.StreamLengthAsync(DeadLetters));
            await Task.Delay(TimeSpan.FromSeconds(5));
        }
        var pending = await db.StreamPendingMessagesAsync(EchainTestHost.StreamName, Group, 10 * deliveries.Count, RedisValue.Null);
        Assert.Equal(deliveries.Count, pending.Length);
        // Every message was handed out well past the limit: a delivery-count policy would have dead-lettered them all.
        var minDeliveries = pending.Min(p => p.DeliveryCount);
        Assert.True(minDeliveries > MaxDeliveries, $"fewest deliveries during the outage: {minDeliveries}");
        Assert.Equal(0, await db.StreamLengthAsync(DeadLetters));

        await host.Postgres.StartAsync();
        var recovery = Stopwatch.StartNew();
        await Eventually.TrueAsync(async () => await host.QueueLengthAsync() == 0, "the backlog to apply after PostgreSQL returned", seconds: 180);
        var recovered = recovery.Elapsed;

        await using (var data = NpgsqlDataSource.Create(host.Postgres.ConnectionString(host.DatabaseName)))
        await using (var count = data.CreateCommand("SELECT count(*) FROM events WHERE created AND title LIKE 'Outage %'"))
            Assert.Equal(Events, Convert.ToInt32(await count.ExecuteScalarAsync(), CultureInfo.InvariantCulture));
        Assert.Equal(0, await db.StreamLengthAsync(DeadLetters));
        Assert.Equal(0, (await db.StreamPendingAsync(EchainTestHost.StreamName, Group)).PendingMessageCount);

        // One warning per backoff step, never one per message and retry.
        var consumerWarnings = log.Lines.Where(l => l.StartsWith($"Warning {ConsumerCategory}", StringComparison.Ordinal)).ToArray();
        var steps = consumerWarnings.Count(l => l.Contains("backs off", StringComparison.Ordinal));
        Assert.InRange(steps, 1, (int)(Outage.TotalSeconds / (BackoffMax.TotalSeconds / 2)) + 20);
        Assert.DoesNotContain(consumerWarnings, l => l.Contains("Handler failed for message", StringComparison.Ordinal));
        output.WriteLine($"outage {outage.Elapsed.TotalSeconds:F0} s with {deliveries.Count} accepted deliveries: fewest deliveries " +
            $"{minDeliveries}, most {pending.Max(p => p.DeliveryCount)}, {steps} backoff warnings, backlog applied {recovered.TotalSeconds:F1} s after restart, 0 dead letters");
    }

    [Fact]
    public async Task A_log_that_can_never_apply_dead_letters_after_exactly_the_limit_while_an_outage_dead_letters_nothing()
    {
        await using var host = OutageHost(new LogCapture());
        await host.InitializeAsync();
        using var redis = host.Redis.Connect();
        var db = redis.GetDatabase();
        var start = new DateTimeOffset(2027, 9, 2, 19, 0, 0, TimeSpan.Zero);
        var organizer = await host.Ledger.NewWalletAsync();
        var poisonSource = await host.Ledger.CreateEventAsync(organizer, "Never shown", "x", start, start.AddHours(1), 10, 1);
        var healthy = await host.Ledger.CreateEventAsync(organizer, "Waits out the outage", "x", start, start.AddHours(1), 10, 1);
        // Queued behind the door (which validates): a signed EventCreated without its title can never apply.
        var poison = ToChainEvent(poisonSource.Deliveries.Single(d => d.EventName == "EventCreated"), without: "title");

        await host.Postgres.StopAsync();
        await host.Services.GetRequiredService<IChainEventQueue>().EnqueueAsync([poison], CancellationToken.None);
        await host.Webhooks.SendAllAsync(healthy.Deliveries);

        await Eventually.TrueAsync(async () => await db.StreamLengthAsync(DeadLetters) == 1, "the poison log to be dead-lettered");
        var letter = Assert.Single(await db.StreamRangeAsync(DeadLetters));
        Assert.Equal("deterministic", letter["kind"].ToString());
        Assert.Equal(MaxDeliveries.ToString(CultureInfo.InvariantCulture), letter["failures"].ToString());
        Assert.Equal(MaxDeliveries.ToString(CultureInfo.InvariantCulture), letter["deliveries"].ToString());
        Assert.Contains("title", letter["error"].ToString());
        Assert.Contains(poison.TransactionHash, letter["data"].ToString());

        // Meanwhile the healthy log failed transiently past the limit and stays queued.
        await Eventually.TrueAsync(async () =>
        {
            var waiting = await db.StreamPendingMessagesAsync(EchainTestHost.StreamName, Group, 10, RedisValue.Null);
            return waiting.Length == 1 && waiting[0].DeliveryCount > 2 * MaxDeliveries;
        }, "the healthy log to be retried past the limit");
        Assert.Equal(1, await db.StreamLengthAsync(DeadLetters));

        await host.Postgres.StartAsync();
        await Eventually.TrueAsync(async () => await host.QueueLengthAsync() == 0, "the healthy log to apply", seconds: 60);
        Assert.Equal("Waits out the outage", (await host.GetJsonAsync($"api/events/{healthy.EventId}")).GetProperty("title").GetString());

        // The admin route lists it with its reason class and error.
        using var request = new HttpRequestMessage(HttpMethod.Get, host.Url("api/admin/dead-letters"));
        request.Headers.Add("X-Echain-Admin-Key", EchainTestHost.AdminKey);
        using var response = await host.Http.SendAsync(request);
        var listed = Assert.Single(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray());
        Assert.Equal("deterministic", listed.GetProperty("kind").GetString());
        Assert.Contains("title", listed.GetProperty("error").GetString());
    }

    private static EchainTestHost OutageHost(LogCapture log)
    {
        var host = new EchainTestHost { PrivatePostgres = true };
        host.Settings["Echain:Queue:VisibilityTimeout"] = "00:00:02";
        host.Settings["Echain:Queue:MaxDeliveries"] = MaxDeliveries.ToString(CultureInfo.InvariantCulture);
        host.Settings["Echain:Queue:TransientBackoffInitial"] = "00:00:00.200";
        host.Settings["Echain:Queue:TransientBackoffMax"] = BackoffMax.ToString("c", CultureInfo.InvariantCulture);
        host.ConfigureApp = builder => builder.Logging.AddProvider(log);
        return host;
    }

    private static ChainEvent ToChainEvent(CdpActivity activity, string without) => new(
        activity.Network, activity.TransactionHash, activity.LogIndex, activity.BlockNumber,
        DateTimeOffset.Parse(activity.Timestamp, CultureInfo.InvariantCulture), activity.ContractAddress, activity.EventName,
        activity.Parameters.Where(p => p.Key != without).ToDictionary());
}
