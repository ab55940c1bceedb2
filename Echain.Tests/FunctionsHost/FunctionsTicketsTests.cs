using System.Net;
using System.Text.Json;

namespace Echain.Tests.FunctionsHost;

/// <summary>
/// The forwarded GetTicketMetadata and GetTicketImage functions: the custom handler answers both ticket routes (the literal
/// "image.svg" segment included) over the PostgreSQL a standalone instance projects into. With no Echain:Metadata settings
/// each host names its own origin and its own event page: /events/{id} standalone, /api/web/events/{id} under the mount.
/// </summary>
public sealed class FunctionsTicketsTests : TwoHostsOneDatabase
{
    private static readonly DateTimeOffset Start = new(2027, 10, 2, 20, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Both_ticket_routes_answer_on_theFunctions_host_with_its_own_origin_and_page_mount()
    {
        var organizer = await Standalone.Ledger.NewWalletAsync();
        var created = await Standalone.Ledger.CreateEventAsync(organizer, "Mount night", "", Start, Start.AddHours(2), 10, 2_000_000);
        await Standalone.Webhooks.SendAllAsync(created.Deliveries);
        var purchase = await Standalone.Ledger.BuyAsync(await Standalone.Ledger.NewWalletAsync(), created.EventId, "Balcony");
        await Standalone.Webhooks.SendAllAsync(purchase.Deliveries);
        await Standalone.DrainedAsync();
        var (eventId, tokenId) = (created.EventId, purchase.TokenId);

        var onFunctions = await Functions.GetJsonAsync($"api/tickets/{tokenId}/metadata");
        var functionsOrigin = Functions.BaseAddress.GetLeftPart(UriPartial.Authority);
        Assert.Equal($"{functionsOrigin}/api/tickets/{tokenId}/image.svg", onFunctions.GetProperty("image").GetString());
        Assert.Equal($"{functionsOrigin}/api/web/events/{eventId}", onFunctions.GetProperty("external_url").GetString());
        var standalone = await Standalone.GetJsonAsync($"api/tickets/{tokenId}/metadata");
        var standaloneOrigin = Standalone.BaseAddress.GetLeftPart(UriPartial.Authority);
        Assert.Equal($"{standaloneOrigin}/events/{eventId}", standalone.GetProperty("external_url").GetString());
        Assert.Equal(standalone.GetProperty("attributes").GetRawText(), onFunctions.GetProperty("attributes").GetRawText());
        Assert.Equal("Mount night — Ticket #" + tokenId, onFunctions.GetProperty("name").GetString());

        // The image: the same bytes and ETag from either host (nothing in it depends on the host), 304 on its ETag.
        using var image = await Functions.GetAsync($"api/tickets/{tokenId}/image.svg");
        using var standaloneImage = await Standalone.GetAsync($"api/tickets/{tokenId}/image.svg");
        Assert.Equal((HttpStatusCode.OK, "image/svg+xml"), (image.StatusCode, image.Content.Headers.ContentType?.MediaType));
        Assert.Equal(await standaloneImage.Content.ReadAsByteArrayAsync(), await image.Content.ReadAsByteArrayAsync());
        Assert.Equal(standaloneImage.Headers.ETag, image.Headers.ETag);
        Assert.Contains("default-src 'none'", image.Headers.GetValues("Content-Security-Policy").Single());
        using (var notModified = await Functions.GetAsync($"api/tickets/{tokenId}/image.svg", image.Headers.ETag!.Tag))
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        // Problems are the same bytes on both hosts.
        foreach (var path in new[] { "api/tickets/abc/image.svg", "api/tickets/123456789/metadata" })
        {
            using var expected = await Standalone.GetAsync(path);
            using var actual = await Functions.GetAsync(path);
            Assert.Equal((expected.StatusCode, "application/problem+json"), (actual.StatusCode, actual.Content.Headers.ContentType?.MediaType));
            Assert.Equal(await expected.Content.ReadAsStringAsync(), await actual.Content.ReadAsStringAsync());
            Assert.True((int)actual.StatusCode is 400 or 404, path);
        }
        Assert.Equal(JsonValueKind.Array, onFunctions.GetProperty("attributes").ValueKind);
    }
}
