using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Messaging.ServiceBus;
using Echain.Core.Queue;
using Echain.Functions.AzureFunctions.Messaging;
using Microsoft.Extensions.DependencyInjection;

namespace Echain.Tests.FunctionsHost;

/// <summary>
/// ProcessChainEvent against the one failure policy on Service Bus: what the handler answers, and what it asks of
/// Service Bus, on transient and deterministic failures; the dead-letter admin routes; the queue without a binding.
/// </summary>
public sealed class FunctionsServiceBusTests : IClassFixture<ServiceBusFunctionsHost>
{
    private static readonly DateTimeOffset Start = new(2026, 12, 24, 19, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(90);
    private readonly ServiceBusFunctionsHost _functions;
    private readonly RecordingServiceBus _bus;
    private readonly ServiceBusEmulation _serviceBus;

    public FunctionsServiceBusTests(ServiceBusFunctionsHost functions)
    {
        _functions = functions;
        _bus = functions.Bus;
        _bus.ClearRecords();
        _bus.ScheduleFailure = null;
        _bus.SendFailure = null;
        _serviceBus = new ServiceBusEmulation(functions, _bus);
    }

    [Fact]
    public async Task A_90_second_postgres_outage_spends_no_delivery_each_event_applies_once_and_nothing_dead_letters()
    {
        var created = await _functions.Ledger.CreateEventAsync(await _functions.Ledger.NewWalletAsync(), "Ball", "Hall", Start, Start.AddHours(2), 10, 3);
        foreach (var e in await _functions.IngestAsync(created.Deliveries))
            Assert.Equal(HttpStatusCode.OK, (await _serviceBus.DeliverOnceAsync(NewId(), e, new Dictionary<string, object>(), 1)).Status);
        var buyer = await _functions.Ledger.NewWalletAsync();
        var purchase = await _functions.Ledger.BuyAsync(buyer, created.EventId, "Floor");
        var events = await _functions.IngestAsync(purchase.Deliveries);
        Assert.True(events.Count >= 3);

        var emitted = new Dictionary<string, int>(); // original message id → deliveries that emitted realtime messages
        var outage = Stopwatch.StartNew();
        await _functions.Postgres.StopAsync();
        var restarted = false;
        try
        {
            foreach (var e in events)
            {
                var id = NewId();
                emitted[id] = 0;
                var first = Assert.Single(await _serviceBus.DeliverAsync(id, e));
                AssertRetriedWithoutOutput(first);
            }
            AssertCopies(events.Count, attempt: 2, counted: 0);

            while (true)
            {
                if (!restarted && outage.Elapsed >= Outage)
                {
                    await _functions.Postgres.StartAsync();
                    restarted = true;
                }
                foreach (var copy in _bus.TakeDue(DateTimeOffset.UtcNow))
                {
                    var answer = Assert.Single(await _serviceBus.DeliverAsync(copy)); // never a 500: nothing was counted
                    var originalId = (string)copy.ApplicationProperties[ChainEventDelivery.OriginalIdProperty];
                    Assert.Equal(0, (int)copy.ApplicationProperties[ChainEventDelivery.CountedProperty]);
                    if (answer.Array("signalRMessages") is { Count: > 0 }) emitted[originalId]++;
                    else AssertRetriedWithoutOutput(answer);
                }
                if (restarted && _bus.Scheduled.Count == 0) break;
                Assert.True(outage.Elapsed < Outage + TimeSpan.FromSeconds(60), "copies still scheduled a minute after PostgreSQL returned");
                await Task.Delay(100);
            }
        }
        finally
        {
            if (!restarted) await _functions.Postgres.StartAsync();
        }

        Assert.All(emitted, e => Assert.True(e.Value == 1, $"{e.Key} emitted {e.Value} times"));
        Assert.Empty(_bus.DeadLetters);
        var read = await _functions.GetJsonAsync($"api/events/{created.EventId}");
        Assert.Equal(1, read.GetProperty("ticketsSold").GetInt64());
        var ticket = Assert.Single((await _functions.GetJsonAsync($"api/users/{buyer.Address}/tickets")).GetProperty("items").EnumerateArray());
        Assert.Equal("Floor", ticket.GetProperty("ticketType").GetString());
    }

    [Fact]
    public async Task A_transient_failure_schedules_one_copy_within_the_backoff_bounds_carrying_the_original_id()
    {
        var events = await _functions.IngestAsync((await _functions.Ledger.FundAsync(await _functions.Ledger.NewWalletAsync(), 7)).Deliveries);
        await _functions.Postgres.StopAsync();
        try
        {
            var properties = new Dictionary<string, object> { [ChainEventDelivery.OriginalIdProperty] = "first-id", [ChainEventDelivery.AttemptProperty] = 3, [ChainEventDelivery.CountedProperty] = 2 };
            var answer = await _serviceBus.DeliverOnceAsync("copy-id", events[0], properties, deliveryCount: 2);
            AssertRetriedWithoutOutput(answer);
            var (copy, at, asked) = Assert.Single(_bus.Scheduled);
            Assert.Equal("first-id", copy.ApplicationProperties[ChainEventDelivery.OriginalIdProperty]);
            Assert.Equal(4, copy.ApplicationProperties[ChainEventDelivery.AttemptProperty]);
            Assert.Equal(3, copy.ApplicationProperties[ChainEventDelivery.CountedProperty]); // 2 carried + 1 counted delivery of this copy
            Assert.NotEqual("copy-id", copy.MessageId); // duplicate detection would drop a copy under the failed one's id
            // The same document, its trace context and receive time included: the retry stays in the webhook's trace.
            var original = ChainEventMessage.TryDeserialize(events[0].ToJsonString(), out var trace, out _)!;
            Assert.NotNull(trace.TraceParent);
            Assert.NotNull(trace.ReceivedAt);
            Assert.Equal(JsonNode.Parse(copy.Body.ToString())!.ToJsonString(), JsonNode.Parse(ChainEventMessage.Serialize(original, trace))!.ToJsonString());
            AssertDelay(at - asked, attempt: 3);
        }
        finally
        {
            await _functions.Postgres.StartAsync();
        }
    }

    [Fact]
    public async Task A_retry_that_cannot_be_scheduled_answers_500_so_service_bus_abandons_the_message()
    {
        var events = await _functions.IngestAsync((await _functions.Ledger.FundAsync(await _functions.Ledger.NewWalletAsync(), 3)).Deliveries);
        _bus.ScheduleFailure = new ServiceBusException("the namespace cannot be reached", ServiceBusFailureReason.ServiceCommunicationProblem);
        await _functions.Postgres.StopAsync();
        try
        {
            var answer = await _serviceBus.DeliverOnceAsync(NewId(), events[0], new Dictionary<string, object>(), 1);
            Assert.Equal(HttpStatusCode.InternalServerError, answer.Status);
            Assert.Empty(answer.Outputs);
            var log = answer.Body!["Logs"]![0]!.GetValue<string>();
            Assert.StartsWith("transient:", log);
            Assert.Contains("the retry could not be scheduled", log);
            Assert.Empty(_bus.Scheduled);
        }
        finally
        {
            await _functions.Postgres.StartAsync();
            _bus.ScheduleFailure = null;
        }
        // Service Bus redelivers the abandoned message; with PostgreSQL back it applies.
        var redelivered = await _serviceBus.DeliverOnceAsync(NewId(), events[0], new Dictionary<string, object>(), 2);
        Assert.Equal(HttpStatusCode.OK, redelivered.Status);
        Assert.NotEmpty(redelivered.Array("signalRMessages")!);
    }

    [Fact]
    public async Task A_deterministic_failure_answers_500_with_its_kind_dead_letters_at_the_limit_lists_its_reason_and_replays_once()
    {
        var bad = _functions.BadEvent();
        var id = NewId();
        var answers = await _serviceBus.DeliverAsync(id, bad);

        Assert.Equal(ServiceBusEmulation.MaxDeliveryCount, answers.Count);
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.InternalServerError, a.Status));
        Assert.All(answers, a => Assert.StartsWith("deterministic:", a.Body!["Logs"]![0]!.GetValue<string>()));
        Assert.Empty(_bus.Scheduled);
        Assert.Single(_bus.DeadLetters);

        var listed = Assert.Single(await _functions.ListDeadLettersAsync());
        Assert.Equal(id, listed.OriginalId);
        Assert.Equal("deterministic", listed.Kind);
        Assert.Contains("eventId", listed.Error);
        Assert.Equal(10, listed.Deliveries);
        Assert.Equal(bad.ToJsonString(), JsonNode.Parse(listed.Data!)!.ToJsonString());

        var replay = await _functions.AdminAsync(HttpMethod.Post, "api/admin/dead-letters/replay?max=5");
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(1, (await replay.Content.ReadFromJsonAsync<JsonObject>())!["replayed"]!.GetValue<int>());
        var copy = Assert.Single(_bus.Sent);
        Assert.Equal(id, copy.ApplicationProperties[ChainEventDelivery.OriginalIdProperty]);
        Assert.False(copy.ApplicationProperties.ContainsKey(ChainEventDelivery.AttemptProperty)); // counters start over
        Assert.False(copy.ApplicationProperties.ContainsKey(ChainEventDelivery.CountedProperty));
        Assert.NotEqual(id, copy.MessageId);
        Assert.Empty(_bus.DeadLetters);
        Assert.Empty(await _functions.ListDeadLettersAsync());
        Assert.Equal(0, (await (await _functions.AdminAsync(HttpMethod.Post, "api/admin/dead-letters/replay")).Content.ReadFromJsonAsync<JsonObject>())!["replayed"]!.GetValue<int>());
    }

    [Fact]
    public async Task A_message_over_the_limit_fails_fast_without_processing_until_service_bus_dead_letters_it()
    {
        var created = await _functions.Ledger.CreateEventAsync(await _functions.Ledger.NewWalletAsync(), "Late", "Hall", Start, Start.AddHours(1), 5, 1);
        var good = Assert.Single(await _functions.IngestAsync(created.Deliveries));
        var over = new Dictionary<string, object> { [ChainEventDelivery.OriginalIdProperty] = "tired", [ChainEventDelivery.CountedProperty] = 10 };
        var fast = await _serviceBus.DeliverOnceAsync(NewId(), good, over, deliveryCount: 1);
        Assert.Equal(HttpStatusCode.InternalServerError, fast.Status);
        Assert.StartsWith("delivered-too-often:", fast.Body!["Logs"]![0]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await _functions.GetAsync($"api/events/{created.EventId}")).StatusCode); // not applied
        Assert.Empty(_bus.Scheduled);

        // A copy carrying 7 counted failures gets 3 more tries, then fails fast until the copy's own limit.
        var carried = new Dictionary<string, object> { [ChainEventDelivery.OriginalIdProperty] = "bad-original", [ChainEventDelivery.CountedProperty] = 7 };
        var answers = await _serviceBus.DeliverAsync("bad-copy", _functions.BadEvent(), carried);
        Assert.Equal(ServiceBusEmulation.MaxDeliveryCount, answers.Count);
        var kinds = answers.Select(a => a.Body!["Logs"]![0]!.GetValue<string>().Split(':')[0]).ToList();
        Assert.Equal([.. Enumerable.Repeat("deterministic", 3), .. Enumerable.Repeat("delivered-too-often", 7)], kinds);
        var listed = Assert.Single(await _functions.ListDeadLettersAsync());
        Assert.Equal("bad-original", listed.OriginalId);
        Assert.Equal("deterministic", listed.Kind); // the last counted reason, not the fast failures'
        Assert.Equal(10, listed.Deliveries);
    }

    [Fact]
    public async Task The_queue_without_a_binding_sends_all_events_in_one_batch_and_reports_an_unreachable_namespace()
    {
        var events = (await _functions.IngestAsync((await _functions.Ledger.FundAsync(await _functions.Ledger.NewWalletAsync(), 2)).Deliveries))
            .Select(e => ChainEventMessage.TryDeserialize(e.ToJsonString(), out _)!).ToList();
        var queue = _functions.Services.GetRequiredService<IChainEventQueue>();
        Assert.IsType<ServiceBusChainEventQueue>(queue);

        var ids = await queue.EnqueueAsync(events, CancellationToken.None);

        Assert.Equal(_bus.Sent.Select(m => m.MessageId), ids);
        Assert.Equal(events.Select(ChainEventMessage.Serialize), _bus.Sent.Select(m => m.Body.ToString()));
        _bus.SendFailure = new ServiceBusException("the namespace cannot be reached", ServiceBusFailureReason.ServiceCommunicationProblem);
        await Assert.ThrowsAsync<QueueUnavailableException>(() => queue.EnqueueAsync(events, CancellationToken.None));
    }

    [Fact]
    public void Application_properties_are_read_as_an_object_or_as_the_json_string_the_host_may_send()
    {
        var asObject = new JsonObject { ["MessageId"] = "\"m-2\"", ["DeliveryCount"] = "3",
            ["ApplicationProperties"] = new JsonObject { ["echain-original-id"] = "m-1", ["echain-attempt"] = 4, ["echain-counted"] = "2" } };
        var asString = new JsonObject { ["MessageId"] = "\"m-2\"", ["DeliveryCount"] = "3",
            ["ApplicationProperties"] = JsonSerializer.Serialize("""{"echain-original-id":"m-1","echain-attempt":4,"echain-counted":2}""") };
        foreach (var metadata in new[] { asObject, asString })
        {
            var delivery = ChainEventDelivery.From(new Functions.AzureFunctions.FunctionInvocation(new JsonObject(), metadata));
            Assert.Equal(new ChainEventDelivery("m-2", "m-1", 3, 4, 2), delivery);
            Assert.Equal(4, delivery.CountedSoFar);
        }
        var first = ChainEventDelivery.From(new Functions.AzureFunctions.FunctionInvocation(new JsonObject(), new JsonObject { ["MessageId"] = "\"m-9\"", ["DeliveryCount"] = "1" }));
        Assert.Equal(new ChainEventDelivery("m-9", "m-9", 1, 1, 0), first);
    }

    // ------------------------------------------------------------------ helpers

    private void AssertRetriedWithoutOutput(Invocation answer)
    {
        Assert.True(answer.Status == HttpStatusCode.OK, answer.Text);
        Assert.Empty(answer.Outputs); // no signalR output: nothing happened, the copy will do it
        Assert.Matches("^(transient|conflict): retry [0-9]+ scheduled", answer.Body!["Logs"]![0]!.GetValue<string>());
    }

    private void AssertCopies(int count, int attempt, int counted)
    {
        var scheduled = _bus.Scheduled;
        Assert.Equal(count, scheduled.Count);
        foreach (var (copy, at, asked) in scheduled)
        {
            Assert.Equal(attempt, copy.ApplicationProperties[ChainEventDelivery.AttemptProperty]);
            Assert.Equal(counted, copy.ApplicationProperties[ChainEventDelivery.CountedProperty]);
            AssertDelay(at - asked, attempt - 1);
        }
    }

    /// <summary>FailurePolicy.Backoff with the fixture's 1 s / 8 s: the upper half of min(8 s, 2^(attempt-1) s).</summary>
    private static void AssertDelay(TimeSpan delay, int attempt)
    {
        var ceiling = Math.Min(8, Math.Pow(2, attempt - 1));
        // The handler reads the clock a moment before the recorder does.
        Assert.InRange(delay.TotalSeconds, ceiling / 2 - 0.25, ceiling);
    }

    private static string NewId() => Guid.NewGuid().ToString("N");
}
