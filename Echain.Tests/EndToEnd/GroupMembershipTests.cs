using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Echain.Core.Realtime;
using Echain.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Echain.Tests.EndToEnd;

/// <summary>Joining an event group right after start(), as every frontend does, must never be lost.</summary>
public sealed class GroupMembershipTests(EchainTestHost host) : IClassFixture<EchainTestHost>
{
    [Fact]
    public async Task Joining_with_a_connection_that_is_not_connected_is_a_404_not_a_silent_no_op()
    {
        // A right proof for an id no client holds: only then is "not connected" the answer.
        var proof = host.Services.GetRequiredService<ConnectionProof>().Create("no-such-connection");
        using var response = await host.Http.PostAsJsonAsync(host.Url("api/realtime/groups/1"), new { connectionId = "no-such-connection", proof });
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no-such-connection", JsonDocument.Parse(await response.Content.ReadAsStringAsync())
            .RootElement.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Two_hundred_clients_joining_right_after_start_all_receive_the_next_event_message()
    {
        var start = new DateTimeOffset(2027, 8, 1, 18, 0, 0, TimeSpan.Zero);
        var created = await host.Ledger.CreateEventAsync(await host.Ledger.NewWalletAsync(), "Crowd", "x", start, start.AddHours(1), 1, 1);
        var eventId = created.EventId.ToString();
        // Each ConnectAsync joins immediately after StartAsync returns: the race with the hub's registration.
        var clients = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => host.ConnectAsync(wallet: null, eventId)));
        try
        {
            await host.Webhooks.SendAllAsync(created.Deliveries);
            foreach (var client in clients)
                await client.WaitForAsync("event-updated", p => p.GetProperty("eventId").GetString() == eventId);
        }
        finally
        {
            foreach (var client in clients) await client.DisposeAsync();
        }
    }
}
