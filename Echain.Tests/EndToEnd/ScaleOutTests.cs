using System.Net;
using System.Net.Http.Json;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.EndToEnd;

/// <summary>
/// Two standalone instances behind a load balancer (docs/architecture.md, "Scale-out"): they share the consumer
/// group, and the SignalR Redis backplane delivers whatever either instance emits to a client on the other.
/// </summary>
public sealed class ScaleOutTests
{
    [Fact]
    public async Task Two_instances_share_the_work_and_a_client_on_one_receives_every_message_once()
    {
        await using var first = new EchainTestHost();
        first.Settings["Echain:Realtime:RedisBackplane"] = "true";
        await first.InitializeAsync();
        await using var second = await first.StartSiblingAsync();

        var organizer = await first.Ledger.NewWalletAsync();
        var start = new DateTimeOffset(2027, 6, 1, 18, 0, 0, TimeSpan.Zero);
        var created = await first.Ledger.CreateEventAsync(organizer, "Scaled", "Two nodes", start, start.AddHours(2), 100, 1);
        var eventId = created.EventId.ToString();

        // Connected to the first instance, joined to the group through the second: the backplane carries both,
        // and the second verifies the first's proof (the same Echain:Auth:SigningKey).
        await using var client = await first.ConnectAsync(wallet: null);
        using (var join = await second.Http.PostAsJsonAsync(second.Url($"api/realtime/groups/{eventId}"), await client.MembershipAsync()))
            Assert.Equal(HttpStatusCode.NoContent, join.StatusCode);

        await first.Webhooks.SendAllAsync(created.Deliveries);
        const int purchases = 20;
        for (var i = 1; i <= purchases; i++)
        {
            var via = i % 2 == 0 ? first : second; // the load balancer alternates
            var purchase = await first.Ledger.BuyAsync(await first.Ledger.NewWalletAsync(), created.EventId, "General");
            await via.Webhooks.SendAllAsync(purchase.Deliveries);
        }
        await first.DrainedAsync();

        await Eventually.TrueAsync(() => client.Messages.Count(m => m.Target == "ticket-purchased") >= purchases, "every purchase message");
        var ticketIds = client.Messages.Where(m => m.Target == "ticket-purchased").Select(m => m.Payload.GetProperty("ticketId").GetString()).ToArray();
        Assert.Equal(purchases, ticketIds.Length);
        Assert.Equal(purchases, ticketIds.Distinct().Count());
        Assert.Equal(purchases, (await second.GetJsonAsync($"api/events/{eventId}")).GetProperty("ticketsSold").GetInt64());
    }
}
