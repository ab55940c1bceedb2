using System.Net;
using System.Text.Json;
using Echain.Tests.Infrastructure;
using Echain.Functions.Standalone.Realtime;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Echain.Tests.EndToEnd;

/// <summary>
/// Joining at negotiate on the standalone host (<c>POST /api/negotiate?events=…</c>): the hub adds the connection to the
/// named groups before it sends the proof, so a client joins in the same round trip as connecting, with no HTTP join.
/// </summary>
public sealed class NegotiateJoinTests(EchainTestHost host) : IClassFixture<EchainTestHost>
{
    private static readonly DateTimeOffset Start = new(2027, 9, 1, 18, 0, 0, TimeSpan.Zero);

    private async Task<RealtimeRecorder> ConnectNamingAsync(string events)
    {
        var connection = new HubConnectionBuilder().WithUrl(host.Url($"api?events={events}")).WithStatefulReconnect().Build();
        var recorder = new RealtimeRecorder(connection);
        await connection.StartAsync();
        return recorder;
    }

    private static string[] ProofEvents(RealtimeRecorder client, string connectionId) =>
        client.ConnectionProofs.Single(p => p.GetProperty("connectionId").GetString() == connectionId)
            .GetProperty("events").EnumerateArray().Select(e => e.GetString()!).ToArray();

    [Fact]
    public async Task Events_named_at_negotiate_are_joined_before_the_proof_and_again_after_a_new_negotiate()
    {
        var organizer = await host.Ledger.NewWalletAsync();
        var first = await host.Ledger.CreateEventAsync(organizer, "Joined at connect", "x", Start, Start.AddHours(1), 5, 1);
        var second = await host.Ledger.CreateEventAsync(organizer, "Also joined", "x", Start, Start.AddHours(1), 5, 1);
        var (firstId, secondId) = (first.EventId.ToString(), second.EventId.ToString());
        // Hex and a repeat name the same events: the proof lists each canonical id once.
        await using var client = await ConnectNamingAsync($"{firstId},0x{second.EventId:x},{firstId}");
        await using var outsider = await host.ConnectAsync(wallet: null);

        var probes = new List<string>();
        client.Connection.On<string>("probe", text => { lock (probes) probes.Add(text); });
        await client.ProofAsync();
        Assert.Equal([firstId, secondId], ProofEvents(client, client.Connection.ConnectionId!));
        // Holding the proof means being in the groups: a send to one right now reaches this connection.
        await host.Services.GetRequiredService<IHubContext<EchainHub>>().Clients.Group($"event-{secondId}").SendAsync("probe", "in the group");
        await Eventually.TrueAsync(() => { lock (probes) return Task.FromResult(probes.Contains("in the group")); }, "the probe sent right after the proof");
        // Without events the standalone proof still says what was joined: nothing.
        await outsider.ProofAsync();
        Assert.Empty(ProofEvents(outsider, outsider.Connection.ConnectionId!));

        await host.Webhooks.SendAllAsync([.. first.Deliveries, .. second.Deliveries]);
        await client.WaitForAsync("event-updated", p => p.GetProperty("eventId").GetString() == firstId);
        await client.WaitForAsync("event-updated", p => p.GetProperty("eventId").GetString() == secondId);
        await host.DrainedAsync();
        Assert.DoesNotContain(outsider.Messages, m => m.Target == "event-updated");

        // A reconnect that negotiates again is a new connection: it is joined again, and its new proof says so.
        await client.Connection.StopAsync();
        await client.Connection.StartAsync();
        await client.ProofAsync();
        Assert.Equal([firstId, secondId], ProofEvents(client, client.Connection.ConnectionId!));
        await host.Webhooks.SendAllAsync(await host.Ledger.UpdateEventAsync(organizer, first.EventId, "Moved", "x", Start.AddDays(1), Start.AddDays(1).AddHours(1), 1));
        await client.WaitForAsync("event-updated", p => p.GetProperty("eventId").GetString() == firstId
            && p.GetProperty("updates").TryGetProperty("title", out var title) && title.GetString() == "Moved");
    }

    [Theory]
    [InlineData("not-an-id")]
    [InlineData("7,,8")]
    [InlineData("-1")]
    [InlineData("1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21")]
    public async Task A_bad_or_too_long_event_list_is_a_400_problem_at_negotiate(string events)
    {
        using var response = await host.Http.PostAsync(host.Url($"api/negotiate?events={Uri.EscapeDataString(events)}"), null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("events", problem.GetProperty("field").GetString());
    }

    [Fact]
    public async Task Twenty_events_are_accepted_and_ride_on_the_hub_url()
    {
        var ids = string.Join(',', Enumerable.Range(1, 20));
        using var response = await host.Http.PostAsync(host.Url($"api/negotiate?events={ids}"), null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var url = new Uri(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("url").GetString()!);
        Assert.Equal("/hubs/echain", url.AbsolutePath);
        Assert.Equal($"?events={ids}", url.Query);
    }

    [Fact]
    public async Task A_hub_url_written_by_hand_with_a_bad_event_id_never_connects()
    {
        // Negotiate refuses the list; a client that skips it and names the hub URL itself is refused by the hub.
        using var negotiate = await host.Http.PostAsync(host.Url("api/negotiate"), null);
        var info = JsonDocument.Parse(await negotiate.Content.ReadAsStringAsync()).RootElement;
        var token = info.GetProperty("accessToken").GetString();
        await using var connection = new HubConnectionBuilder()
            .WithUrl($"{info.GetProperty("url").GetString()}?events=not-an-id", o => o.AccessTokenProvider = () => Task.FromResult(token))
            .Build();

        await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await connection.StartAsync();
            // The handshake may complete before OnConnectedAsync refuses: the server then closes the connection.
            await Eventually.TrueAsync(() => Task.FromResult(connection.State == HubConnectionState.Disconnected), "the hub to close it");
            throw new InvalidOperationException("closed by the hub");
        });
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }
}
