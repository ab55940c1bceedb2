using System.Net;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.EndToEnd;

/// <summary>Echain:Queue:Consume=false: the instance accepts and queues webhooks but leaves projection to others.</summary>
public sealed class IngestOnlyTests
{
    [Fact]
    public async Task An_ingest_only_instance_queues_without_projecting_and_a_consuming_sibling_applies_the_backlog()
    {
        await using var ingestOnly = new EchainTestHost();
        ingestOnly.Settings["Echain:Queue:Consume"] = "false";
        await ingestOnly.InitializeAsync();

        var start = new DateTimeOffset(2027, 7, 1, 18, 0, 0, TimeSpan.Zero);
        var created = await ingestOnly.Ledger.CreateEventAsync(await ingestOnly.Ledger.NewWalletAsync(), "Split roles", "x", start, start.AddHours(1), 1, 1);
        await ingestOnly.Webhooks.SendAllAsync(created.Deliveries);
        Assert.Equal(1, await ingestOnly.QueueLengthAsync());
        using (var missing = await ingestOnly.GetAsync($"api/events/{created.EventId}"))
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        // A projecting instance on the same stores picks up what the ingest-only one queued.
        ingestOnly.Settings["Echain:Queue:Consume"] = "true";
        await using var projector = await ingestOnly.StartSiblingAsync();
        await projector.DrainedAsync();
        Assert.Equal("Split roles", (await ingestOnly.GetJsonAsync($"api/events/{created.EventId}")).GetProperty("title").GetString());
    }
}
