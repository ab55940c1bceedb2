using System.Net;
using System.Text.Json;
using Echain.Core.Queue;
using Echain.Core.Webhooks;
using Echain.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Echain.Tests.EndToEnd;

/// <summary>A log that can never apply is dead-lettered with its reason, the rest keep flowing, and an operator can replay it.</summary>
public sealed class DeadLetterTests(DeadLetterTests.LowLimitHost host) : IClassFixture<DeadLetterTests.LowLimitHost>
{
    /// <summary>A poison log gets the limit's counted failures, a visibility timeout apart: 3 keeps the test short.</summary>
    public sealed class LowLimitHost : EchainTestHost
    {
        public LowLimitHost() => Settings["Echain:Queue:MaxDeliveries"] = "3";
    }

    [Fact]
    public async Task A_poison_log_is_dead_lettered_with_its_error_listed_and_replayable_while_others_flow()
    {
        var start = new DateTimeOffset(2027, 5, 1, 20, 0, 0, TimeSpan.Zero);
        var created = await host.Ledger.CreateEventAsync(await host.Ledger.NewWalletAsync(), "Still flowing", "Yes", start, start.AddHours(1), 10, 10);
        // A real purchase's TicketPurchased, signed and well-formed but without its price: the projector can never apply it.
        var purchase = (await host.Ledger.BuyAsync(await host.Ledger.NewWalletAsync(), created.EventId, "General")).Purchase[2];
        var poison = purchase with
        {
            EventSignature = "TicketPurchased(uint256,uint256,address,string)",
            Parameters = purchase.Parameters.Where(p => p.Key != "price").ToDictionary(),
        };
        // Ingest decodes with the projector's decoder, so the webhook refuses it at the door, naming the field…
        var before = await host.QueuedTotalAsync();
        using (var refused = await host.Webhooks.SendAsync(poison))
        {
            Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
            var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("parameters.price", problem.GetProperty("field").GetString());
        }
        Assert.Equal(before, await host.QueuedTotalAsync());
        // …so it can only reach the queue another way (queued by an older version, say): the consumer dead-letters it.
        var parsed = CoinbaseWebhookParser.Parse(poison.ToJson(), null);
        await host.Services.GetRequiredService<IChainEventQueue>().EnqueueAsync(parsed.Events, default);
        await host.Webhooks.SendAllAsync(created.Deliveries);
        await host.DrainedAsync();
        Assert.Equal("Still flowing", (await host.GetJsonAsync($"api/events/{created.EventId}")).GetProperty("title").GetString());

        var dead = await AdminAsync(HttpMethod.Get, "api/admin/dead-letters");
        var letter = Assert.Single(dead.EnumerateArray());
        Assert.Contains("price", letter.GetProperty("error").GetString());
        Assert.Equal("deterministic", letter.GetProperty("kind").GetString());
        Assert.Equal(3, letter.GetProperty("deliveries").GetInt32());
        Assert.Contains(poison.TransactionHash, letter.GetProperty("data").GetString());

        // Replay puts it back on the queue; it is still poison, so it returns to the dead letters.
        var queued = await host.QueuedTotalAsync();
        var replayed = await AdminAsync(HttpMethod.Post, "api/admin/dead-letters/replay");
        Assert.Equal(1, replayed.GetProperty("replayed").GetInt32());
        Assert.Equal(queued + 1, await host.QueuedTotalAsync());
        await host.DrainedAsync();
        await Eventually.TrueAsync(async () => (await AdminAsync(HttpMethod.Get, "api/admin/dead-letters")).GetArrayLength() == 1,
            "the replayed poison to be dead-lettered again");
    }

    [Fact]
    public async Task The_admin_routes_need_the_key()
    {
        using var response = await host.Http.GetAsync(host.Url("api/admin/dead-letters"));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<JsonElement> AdminAsync(HttpMethod method, string relative)
    {
        using var request = new HttpRequestMessage(method, host.Url(relative));
        request.Headers.Add("X-Echain-Admin-Key", EchainTestHost.AdminKey);
        using var response = await host.Http.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"{method} {relative}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
