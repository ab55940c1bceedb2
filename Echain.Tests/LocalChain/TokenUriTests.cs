using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Echain.Tests.Infrastructure;

namespace Echain.Tests.LocalChain;

/// <summary>
/// The contract's tokenURI against the real app: the URL a wallet reads from the chain is one the app answers, and the
/// logs that only ask wallets to refresh reach the webhook as CDP delivers them and are acknowledged, never projected.
/// </summary>
public sealed class TokenUriTests(EchainTestHost host) : IClassFixture<EchainTestHost>
{
    private static readonly DateTimeOffset Start = new(2027, 11, 5, 19, 0, 0, TimeSpan.Zero);

    [Fact]
    [Trait("NeedsRoute", "metadata")] // GET /api/tickets/{tokenId}/metadata is built in parallel; red until it exists
    public async Task TokenUriResolvesToLiveMetadata()
    {
        var ledger = host.Ledger;
        var (organizer, fan) = (await ledger.NewWalletAsync(), await ledger.NewWalletAsync());
        var created = await ledger.CreateEventAsync(organizer, "Tokenized night", "Wallets welcome", Start, Start.AddHours(3), 10, 2_000_000);
        var based = await ledger.SetTicketBaseUriAsync(organizer, created.EventId, $"{host.BaseAddress}api/tickets/");
        var purchase = await ledger.BuyAsync(fan, created.EventId, "Balcony");
        await host.Webhooks.SendAllAsync([.. created.Deliveries, .. based, .. purchase.Deliveries]);
        await host.DrainedAsync();
        var tokenId = purchase.TokenId.ToString();
        await Eventually.TrueAsync(async () => (await host.GetJsonAsync($"api/events/{created.EventId}/tickets")).GetProperty("items")
            .EnumerateArray().Any(t => t.GetProperty("tokenId").GetString() == tokenId), "the projection to hold the ticket");

        var tokenUri = await ledger.State.TokenUriAsync(purchase.TokenId);
        Assert.Equal(new Uri(host.BaseAddress, $"api/tickets/{tokenId}/metadata").ToString(), tokenUri);

        using var response = await host.Http.GetAsync(tokenUri);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {tokenUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var metadata = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("Tokenized night", metadata.GetProperty("name").GetString());
        Assert.Contains(metadata.GetProperty("attributes").EnumerateArray(),
            a => a.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.String && value.GetString() == "Balcony");
    }

    [Fact]
    public async Task The_refresh_signals_are_acknowledged_as_ignored_queue_nothing_and_the_check_in_still_applies()
    {
        var ledger = host.Ledger;
        var (organizer, fan) = (await ledger.NewWalletAsync(), await ledger.NewWalletAsync());
        var created = await ledger.CreateEventAsync(organizer, "Signals", "", Start, Start.AddHours(1), 10, 0);
        var purchase = await ledger.BuyAsync(fan, created.EventId, "GA");
        await host.Webhooks.SendAllAsync([.. created.Deliveries, .. purchase.Deliveries]);
        await host.DrainedAsync();

        var based = await ledger.SetTicketBaseUriAsync(organizer, created.EventId, "https://tickets.example/api/tickets/");
        var checkIn = await ledger.CheckInAsync(organizer, purchase.TokenId);
        Assert.Equal(["TicketBaseURIUpdated", "BatchMetadataUpdate"], based.Select(a => a.EventName));
        Assert.Equal(["TicketUsed", "MetadataUpdate"], checkIn.Select(a => a.EventName));

        var before = await host.QueuedTotalAsync();
        foreach (var signal in based.Append(checkIn[1]))
        {
            using var response = await host.Webhooks.SendAsync(signal);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            var receipt = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal((0, 1), (receipt.GetProperty("accepted").GetInt32(), receipt.GetProperty("ignored").GetInt32()));
        }
        Assert.Equal(before, await host.QueuedTotalAsync());

        await host.Webhooks.SendAllAsync([checkIn[0]]);
        await host.DrainedAsync();
        var ticket = Assert.Single((await host.GetJsonAsync($"api/events/{created.EventId}/tickets")).GetProperty("items").EnumerateArray());
        Assert.True(ticket.GetProperty("isUsed").GetBoolean());
        Assert.Equal(before + 1, await host.QueuedTotalAsync());
    }
}
