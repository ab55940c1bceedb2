using System.Text.RegularExpressions;
using Echain.Core.Chain;
using Echain.Core.Queue;
using Echain.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Echain.Tests.Processing;

/// <summary>
/// The standalone host at its shipped log levels: one structured line per log the queue hands over (key, event,
/// outcome, duration, trace id), and no request line by default.
/// </summary>
public sealed partial class ProcessingLogTests
{
    [Fact]
    public async Task A_webhook_logs_one_applied_line_its_redelivery_an_already_applied_line_and_no_request_line()
    {
        var log = new LogCapture();
        await using var host = Logged(log);
        await host.InitializeAsync();

        var start = new DateTimeOffset(2027, 7, 1, 18, 0, 0, TimeSpan.Zero);
        var created = await host.Ledger.CreateEventAsync(await host.Ledger.NewWalletAsync(), "Logged", "x", start, start.AddHours(1), 1, 1);
        var activity = Assert.Single(created.Deliveries);
        await host.Webhooks.SendAllAsync(created.Deliveries);
        await host.DrainedAsync();
        await host.Webhooks.SendAllAsync(created.Deliveries); // a new delivery id: queued again, already applied
        await host.DrainedAsync();

        var key = $"Network={activity.Network} TxHash={activity.TransactionHash} LogIndex={activity.LogIndex}";
        var applied = await LineAsync(log, "outcome=applied", key);
        Assert.Contains("EventName=EventCreated", applied);
        Assert.Matches(DurationField(), applied);
        Assert.Matches(TraceField(), applied);
        Assert.Single(log.Lines, l => l.Contains("outcome=applied", StringComparison.Ordinal) && l.Contains(key, StringComparison.Ordinal));
        Assert.Contains("EventName=EventCreated", await LineAsync(log, "outcome=already-applied", key));
        Assert.DoesNotContain(log.Lines, l => l.Contains("Microsoft.AspNetCore.HttpLogging", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_poison_log_logs_its_failures_then_one_dead_lettered_line_and_its_replay_a_replayed_line()
    {
        var log = new LogCapture();
        await using var host = Logged(log);
        host.Settings["Echain:Queue:MaxDeliveries"] = "2";
        await host.InitializeAsync();

        // EventCreated without its parameters: it can never apply (deterministic), so every failure counts.
        var poison = new ChainEvent(TestLedger.Network, "0x" + new string('e', 64), 3, 1, DateTimeOffset.UtcNow,
            host.Deployment.TicketContract, "EventCreated", new Dictionary<string, string>());
        await ConnectionMultiplexer.Connect(host.Redis.Configuration).GetDatabase()
            .StreamAddAsync(EchainTestHost.StreamName, "data", ChainEventMessage.Serialize(poison));

        var key = poison.Key.ToString();
        var deadLettered = await LineAsync(log, "outcome=dead-lettered", key);
        Assert.Contains("Reason=deterministic", deadLettered);
        Assert.Single(log.Lines, l => l.Contains("outcome=dead-lettered", StringComparison.Ordinal) && l.Contains(key, StringComparison.Ordinal));
        Assert.Equal(2, log.Lines.Count(l => l.Contains("outcome=failed", StringComparison.Ordinal)
            && l.Contains($"TxHash={poison.TransactionHash}", StringComparison.Ordinal) && l.Contains("Kind=deterministic", StringComparison.Ordinal)));

        using var replay = new HttpRequestMessage(HttpMethod.Post, host.Url("api/admin/dead-letters/replay"));
        replay.Headers.Add("X-Echain-Admin-Key", EchainTestHost.AdminKey);
        using var replayed = await host.Http.SendAsync(replay);
        Assert.True(replayed.IsSuccessStatusCode, $"replay answered {(int)replayed.StatusCode}");
        Assert.Contains("EventName=EventCreated", await LineAsync(log, "outcome=replayed", key));
    }

    /// <summary>The app at its shipped levels (appsettings.json), every line captured.</summary>
    private static EchainTestHost Logged(LogCapture log)
    {
        var host = new EchainTestHost();
        host.Settings["Logging:LogLevel:Default"] = null;
        host.Settings["Logging:LogLevel:Microsoft.AspNetCore.HttpLogging"] = null;
        host.ConfigureApp = builder => builder.Logging.AddProvider(log);
        return host;
    }

    private static async Task<string> LineAsync(LogCapture log, string outcome, string key)
    {
        string? Find() => log.Lines.FirstOrDefault(l => l.Contains(outcome + " ", StringComparison.Ordinal) && l.Contains(key, StringComparison.Ordinal));
        await Eventually.TrueAsync(() => Task.FromResult(Find() is not null), $"a line with {outcome} for {key}");
        return Find()!;
    }

    [GeneratedRegex(@"DurationMs=\d+(\.\d+)?")]
    private static partial Regex DurationField();

    // The message's span surrounds the projection: a W3C trace id.
    [GeneratedRegex(@"TraceId=[0-9a-f]{32}(?=[\s\]])")]
    private static partial Regex TraceField();
}
