using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Echain.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace Echain.Tests.EndToEnd;

/// <summary>
/// A connection is usable only by its own client: its transport requests need the token that negotiated it, and its
/// group membership changes need the proof only it received. The attacker knows the victim's ids (as if from a log)
/// and holds a valid hub token of its own (anonymous, from POST /api/negotiate).
/// </summary>
public sealed class ConnectionOwnershipTests(EchainTestHost host) : IClassFixture<EchainTestHost>
{
    private static readonly DateTimeOffset Start = new(2027, 9, 1, 18, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Long_polling_a_victims_connection_with_another_token_is_refused_and_gets_nothing(bool userVictim)
    {
        var organizer = await host.Ledger.NewWalletAsync();
        var victimWallet = await host.Ledger.NewWalletAsync();
        var created = await host.Ledger.CreateEventAsync(organizer, "Private", "x", Start, Start.AddHours(1), 1, 1);
        var funded = await host.Ledger.FundAsync(victimWallet, 7);
        var eventId = created.EventId.ToString();

        var transportIds = new ConcurrentQueue<string>();
        var userToken = userVictim ? await host.DevTokenAsync(victimWallet.Address) : null;
        var connection = new HubConnectionBuilder()
            .WithUrl(host.Url("api"), HttpTransportType.LongPolling, o =>
            {
                if (userToken is not null) o.AccessTokenProvider = () => Task.FromResult<string?>(userToken);
                o.HttpMessageHandlerFactory = inner => new TransportIdRecorder(inner, transportIds);
            })
            .Build();
        await using var victim = new RealtimeRecorder(connection);
        await connection.StartAsync();
        using (var join = await host.Http.PostAsJsonAsync(host.Url($"api/realtime/groups/{eventId}"), await victim.MembershipAsync()))
            Assert.Equal(HttpStatusCode.NoContent, join.StatusCode);
        var transportId = transportIds.Distinct().Single();
        Assert.NotEqual(connection.ConnectionId, transportId); // negotiateVersion 1: the secret connection token

        var attackerToken = (await (await host.Http.PostAsync(host.Url("api/negotiate?negotiateVersion=1"), null))
            .Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
        var stolen = new List<string>();
        using var stop = new CancellationTokenSource();
        // The hijack: long polls for the victim's id, all the while its messages are sent.
        var attack = Task.Run(async () =>
        {
            var attempts = 0;
            while (!stop.IsCancellationRequested || attempts < 3)
            {
                attempts++;
                foreach (var request in Hijacks(transportId, attackerToken))
                {
                    using var response = await host.Http.SendAsync(request);
                    var body = await response.Content.ReadAsStringAsync();
                    if (response.StatusCode != HttpStatusCode.NotFound || body.Contains("event-updated") || body.Contains("balance-updated"))
                        lock (stolen) stolen.Add($"{request.Method} {(int)response.StatusCode} {body}");
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                }
            }
            return attempts;
        });

        await host.Webhooks.SendAllAsync(created.Deliveries);
        await host.Webhooks.SendAllAsync(funded.Deliveries);
        await victim.WaitForAsync("event-updated", p => p.GetProperty("eventId").GetString() == eventId);
        if (userVictim) await victim.WaitForAsync("balance-updated", p => p.GetProperty("userId").GetString() == victimWallet.Address);
        await host.DrainedAsync();
        stop.Cancel();
        Assert.True(await attack >= 3);
        Assert.Empty(stolen);
        if (!userVictim) Assert.DoesNotContain(victim.Messages, m => m.Target == "balance-updated");
    }

    [Fact]
    public async Task A_foreign_group_leave_or_join_is_refused_and_the_victim_keeps_receiving()
    {
        var organizer = await host.Ledger.NewWalletAsync();
        var created = await host.Ledger.CreateEventAsync(organizer, "Kept", "x", Start, Start.AddHours(1), 1, 1);
        var other = await host.Ledger.CreateEventAsync(organizer, "Other", "x", Start, Start.AddHours(1), 1, 1);
        var (eventId, otherId) = (created.EventId.ToString(), other.EventId.ToString());
        await using var victim = await host.ConnectAsync(null, eventId);
        await using var attacker = await host.ConnectAsync(null);
        var victimId = victim.Connection.ConnectionId!;
        var attackersProof = await attacker.ProofAsync();

        // The attacker knows the victim's connection id, not its proof.
        using (var leave = await SendAsync(HttpMethod.Delete, eventId, new { connectionId = victimId, proof = attackersProof }))
            await AssertProblemAsync(leave, HttpStatusCode.Forbidden, field: null);
        using (var join = await SendAsync(HttpMethod.Post, otherId, new { connectionId = victimId, proof = attackersProof }))
            await AssertProblemAsync(join, HttpStatusCode.Forbidden, field: null);
        using (var noProof = await SendAsync(HttpMethod.Delete, eventId, new { connectionId = victimId }))
            await AssertProblemAsync(noProof, HttpStatusCode.BadRequest, field: "proof");

        await host.Webhooks.SendAllAsync(created.Deliveries);
        await host.Webhooks.SendAllAsync(other.Deliveries);
        await victim.WaitForAsync("event-updated", p => p.GetProperty("eventId").GetString() == eventId);
        await host.DrainedAsync();
        Assert.DoesNotContain(victim.Messages, m => m.Payload.GetProperty("eventId").GetString() == otherId);

        // Its own proof still works for the attacker's own connection.
        using var own = await SendAsync(HttpMethod.Post, otherId, await attacker.MembershipAsync());
        Assert.Equal(HttpStatusCode.NoContent, own.StatusCode);
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string eventId, object body) =>
        host.Http.SendAsync(new HttpRequestMessage(method, host.Url($"api/realtime/groups/{eventId}")) { Content = JsonContent.Create(body) });

    private static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? field)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        if (field is not null) Assert.Equal(field, problem.GetProperty("field").GetString());
    }

    /// <summary>Every transport request a SignalR client makes with a connection token: poll, send, close, by header and by query.</summary>
    private IEnumerable<HttpRequestMessage> Hijacks(string transportId, string token)
    {
        var url = host.Url($"hubs/echain?id={Uri.EscapeDataString(transportId)}");
        var poll = new HttpRequestMessage(HttpMethod.Get, url);
        poll.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        yield return poll;
        yield return new HttpRequestMessage(HttpMethod.Get, new Uri(url + "&access_token=" + Uri.EscapeDataString(token)));
        var send = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent("{\"type\":6}\u001e") };
        send.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        yield return send;
        var close = new HttpRequestMessage(HttpMethod.Delete, url);
        close.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        yield return close;
    }

    /// <summary>Records the <c>id</c> of the client's own transport requests: the connection token it was given.</summary>
    private sealed class TransportIdRecorder(HttpMessageHandler inner, ConcurrentQueue<string> ids) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var query = System.Web.HttpUtility.ParseQueryString(request.RequestUri?.Query ?? "");
            if (request.RequestUri?.AbsolutePath == "/hubs/echain" && query["id"] is { } id) ids.Enqueue(id);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
