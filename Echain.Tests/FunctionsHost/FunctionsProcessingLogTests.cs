using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Echain.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace Echain.Tests.FunctionsHost;

/// <summary>The Functions host writes the same structured line per processed log as the standalone host.</summary>
public sealed class FunctionsProcessingLogTests
{
    [Fact]
    public async Task A_processed_message_logs_one_applied_line_with_its_key_event_duration_and_the_callers_trace_id()
    {
        var log = new LogCapture();
        await using var functions = new FunctionsTestHost();
        functions.Settings["Logging:LogLevel:Default"] = null;
        functions.ConfigureApp = builder => builder.Logging.AddProvider(log);
        await functions.InitializeAsync();

        var start = new DateTimeOffset(2027, 7, 1, 18, 0, 0, TimeSpan.Zero);
        var created = await functions.Ledger.CreateEventAsync(await functions.Ledger.NewWalletAsync(), "Logged", "x", start, start.AddHours(1), 1, 1);
        var activity = Assert.Single(created.Deliveries);
        var ingest = await functions.InvokeAsync("CoinbaseWebhook",
            new JsonObject { ["req"] = ClientRequest.SignedWebhook(activity).ToFunctionsReq() });
        Assert.True(ingest.ResStatus == "202", ingest.Text);
        var message = Assert.Single(ingest.Array("outEvents")!)!;

        // The queued message carries the ingest's trace context and the webhook's receive time (the output binding sends this body).
        var traceParent = message["traceparent"]!.GetValue<string>();
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-01$", traceParent);
        Assert.NotNull(message["receivedAt"]);
        // Another trace around the invocation (the host's own): the message's context wins, so processing joins the webhook's trace.
        using var invocation = new Activity("test invocation").SetIdFormat(ActivityIdFormat.W3C).Start();
        var processed = await functions.InvokeAsync("ProcessChainEvent", new JsonObject { ["message"] = message.DeepClone() },
            ServiceBusDelivery.Metadata(Guid.NewGuid().ToString("N"), 1));
        Assert.Equal(HttpStatusCode.OK, processed.Status);

        var key = $"Network={activity.Network} TxHash={activity.TransactionHash} LogIndex={activity.LogIndex}";
        var applied = Assert.Single(log.Lines, l => l.Contains("outcome=applied ", StringComparison.Ordinal) && l.Contains(key, StringComparison.Ordinal));
        Assert.Contains("EventName=EventCreated", applied);
        Assert.Matches(@"DurationMs=\d+(\.\d+)?", applied);
        Assert.Contains($"TraceId={traceParent.Split('-')[1]}", applied);
        Assert.DoesNotContain(invocation.TraceId.ToHexString(), applied);
    }
}
