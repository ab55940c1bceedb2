using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using Echain.Demo.Chain;
using Echain.Tests.Infrastructure;
using Json.Schema;

namespace Echain.Tests.EndToEnd;

/// <summary>
/// GET /api/tickets/{tokenId}/metadata and /image.svg after real transactions on anvil, delivered as CDP delivers them: the
/// metadata is valid ERC-721 metadata JSON with the projection's values, both follow a check-in and an event update as
/// soon as the processor applied it (the cached entries are invalidated, never served stale), and both answer 304 to
/// their ETag. The app is configured with a public base URL and a separate frontend's event page.
/// </summary>
public sealed class TicketMetadataTests : IAsyncLifetime
{
    private const string PublicBase = "https://tickets.example";
    private const string EventPage = "https://app.example/e/{eventId}?from=wallet";
    private static readonly DateTimeOffset Start = new(2027, 9, 10, 19, 0, 0, TimeSpan.Zero);
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private readonly EchainTestHost _host = new();

    /// <summary>Built once: a schema registers its base URI, and a second build of the same file would be refused.</summary>
    private static readonly JsonSchema Erc721Schema = JsonSchema.FromFile(Path.Combine(AppContext.BaseDirectory, "TestData", "erc721-metadata.schema.json"),
        new BuildOptions { SchemaRegistry = new SchemaRegistry() });

    public Task InitializeAsync()
    {
        _host.Settings["Echain:Metadata:PublicBaseUrl"] = PublicBase;
        _host.Settings["Echain:Metadata:EventPageUrl"] = EventPage;
        return _host.InitializeAsync();
    }

    public Task DisposeAsync() => _host.DisposeAsync();

    [Fact]
    public async Task Metadata_and_image_show_the_projection_then_follow_a_check_in_and_an_event_update_at_once()
    {
        var ledger = _host.Ledger;
        var organizer = await ledger.NewWalletAsync();
        var buyer = await ledger.NewWalletAsync();
        var created = await ledger.CreateEventAsync(organizer, "Harbour lights", "Pier 4, doors at seven", Start, Start.AddHours(3), 50, 12_500_000);
        await _host.Webhooks.SendAllAsync(created.Deliveries);
        var purchase = await ledger.BuyAsync(buyer, created.EventId, "Front row");
        await _host.Webhooks.SendAllAsync(purchase.Deliveries);
        await _host.DrainedAsync();
        var (eventId, tokenId) = (created.EventId.ToString(), purchase.TokenId.ToString());
        var metadataPath = $"api/tickets/{tokenId}/metadata";
        var imagePath = $"api/tickets/{tokenId}/image.svg";

        var (metadata, etag) = await MetadataAsync(metadataPath);
        AssertErc721Metadata(metadata);
        var ticket = Assert.Single((await _host.GetJsonAsync($"api/events/{eventId}/tickets")).GetProperty("items").EnumerateArray());
        var ev = await _host.GetJsonAsync($"api/events/{eventId}");
        Assert.Equal(await ledger.State.OwnerOfAsync(purchase.TokenId), ticket.GetProperty("owner").GetString());
        Assert.Equal($"{ev.GetProperty("title").GetString()} — Ticket #{tokenId}", metadata.GetProperty("name").GetString());
        Assert.Equal("Pier 4, doors at seven", metadata.GetProperty("description").GetString());
        Assert.Equal($"{PublicBase}/api/tickets/{tokenId}/image.svg", metadata.GetProperty("image").GetString());
        Assert.Equal($"https://app.example/e/{eventId}?from=wallet", metadata.GetProperty("external_url").GetString());
        (string, string, string?)[] attributes =
        [
            ("Event", "\"Harbour lights\"", null), ("Event ID", $"\"{eventId}\"", null),
            ("Event date", ev.GetProperty("startTime").GetDateTimeOffset().ToUnixTimeSeconds().ToString(), "date"),
            ("Ticket type", $"\"{ticket.GetProperty("ticketType").GetString()}\"", null),
            ("Price (USDC)", "\"12.5\"", null), ("Status", "\"Valid\"", null),
        ];
        Assert.Equal(attributes, Attributes(metadata));
        Assert.Equal("12500000", ticket.GetProperty("price").GetString());

        // Conditional: the same ETag answers 304 with no body; the second read is a cache hit and the same bytes.
        using (var again = await _host.GetAsync(metadataPath))
            Assert.Equal(("hit", etag), (again.Headers.GetValues("X-Cache").Single(), again.Headers.ETag!.Tag));
        using (var notModified = await _host.GetAsync(metadataPath, etag))
        {
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        }

        var (image, imageEtag) = await ImageAsync(imagePath);
        Assert.Equal(["Harbour lights", "Fri 10 Sep 2027, 19:00 UTC", "Front row", $"Ticket #{tokenId}", "12.5 USDC", "VALID"], Texts(image));
        using (var notModified = await _host.GetAsync(imagePath, imageEtag))
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);

        // Check-in at the door: both flip as soon as the processor applied it.
        await _host.Webhooks.SendAllAsync(await ledger.CheckInAsync(organizer, purchase.TokenId));
        await _host.DrainedAsync();
        var (checkedIn, checkedInEtag) = await MetadataAsync(metadataPath);
        Assert.Equal("Used", Attributes(checkedIn).Single(a => a.Trait == "Status").Value.Trim('"'));
        Assert.NotEqual(etag, checkedInEtag);
        using (var stale = await _host.GetAsync(metadataPath, etag))
            Assert.Equal(HttpStatusCode.OK, stale.StatusCode);
        var (usedImage, usedImageEtag) = await ImageAsync(imagePath);
        Assert.Contains("USED", Texts(usedImage));
        Assert.DoesNotContain("VALID", Texts(usedImage));
        Assert.NotEqual(imageEtag, usedImageEtag);

        // The organizer renames the event (with markup and quotes in the title): every ticket's documents show it at once.
        await MetadataAsync(metadataPath); // both entries cached again, so a stale cache would show
        const string renamed = "Rock <script>\"&'</script>";
        await _host.Webhooks.SendAllAsync(await ledger.UpdateEventAsync(organizer, created.EventId, renamed, "", Start, Start.AddHours(3), 12_500_000));
        await _host.DrainedAsync();
        var (updated, _) = await MetadataAsync(metadataPath);
        AssertErc721Metadata(updated);
        Assert.Equal($"{renamed} — Ticket #{tokenId}", updated.GetProperty("name").GetString());
        Assert.Equal($"A ticket for {renamed}.", updated.GetProperty("description").GetString());
        Assert.Equal(renamed, updated.GetProperty("attributes")[0].GetProperty("value").GetString());
        var (renamedImage, _) = await ImageAsync(imagePath);
        Assert.Equal(renamed, Texts(renamedImage)[0]);
        Assert.DoesNotContain(renamedImage.Descendants(), e => e.Name.LocalName == "script");
    }

    [Fact]
    public async Task Bad_ids_are_400_unknown_tokens_404_and_a_transfer_before_its_purchase_404_until_the_purchase_arrives()
    {
        foreach (var path in new[] { "api/tickets/abc/metadata", "api/tickets/-1/image.svg", $"api/tickets/1{new string('0', 80)}/metadata" })
        {
            using var bad = await _host.GetAsync(path);
            var problem = await ProblemAsync(bad, HttpStatusCode.BadRequest, "invalid-argument");
            Assert.Equal("tokenId", problem.GetProperty("field").GetString());
        }
        foreach (var path in new[] { "api/tickets/987654321/metadata", "api/tickets/987654321/image.svg" })
        {
            using var unknown = await _host.GetAsync(path);
            Assert.Equal("Ticket 987654321 is not known.", (await ProblemAsync(unknown, HttpStatusCode.NotFound, "not-found")).GetProperty("detail").GetString());
        }

        var organizer = await _host.Ledger.NewWalletAsync();
        var created = await _host.Ledger.CreateEventAsync(organizer, "Early mint", "", Start, Start.AddHours(1), 5, 0);
        await _host.Webhooks.SendAllAsync(created.Deliveries);
        var purchase = await _host.Ledger.BuyAsync(await _host.Ledger.NewWalletAsync(), created.EventId, "GA");
        var (mint, rest) = (purchase.Deliveries.Where(IsTicketTransfer).ToArray(), purchase.Deliveries.Where(d => !IsTicketTransfer(d)).ToArray());
        await _host.Webhooks.SendAllAsync([Assert.Single(mint)]);
        await _host.DrainedAsync();
        foreach (var suffix in new[] { "metadata", "image.svg" })
        {
            using var early = await _host.GetAsync($"api/tickets/{purchase.TokenId}/{suffix}");
            Assert.Equal($"The event of ticket {purchase.TokenId} is not known yet.",
                (await ProblemAsync(early, HttpStatusCode.NotFound, "not-found")).GetProperty("detail").GetString());
        }

        await _host.Webhooks.SendAllAsync(rest);
        await _host.DrainedAsync();
        var (metadata, _) = await MetadataAsync($"api/tickets/{purchase.TokenId}/metadata");
        Assert.Equal(("Early mint", "0"), (Attributes(metadata)[0].Value.Trim('"'), Attributes(metadata).Single(a => a.Trait == "Price (USDC)").Value.Trim('"')));

        // Each JSON answer (200, 400, 404) is what the OpenAPI document says of the route; the image's is an SVG.
        var document = await new Api.OpenApiDocumentTests(_host).DocumentAsync(Echain.Functions.Shared.OpenApi.ApiDocs.DocumentPath);
        foreach (var path in new[] { $"api/tickets/{purchase.TokenId}/metadata", "api/tickets/abc/metadata", "api/tickets/987654321/metadata" })
        {
            using var answer = await _host.GetAsync(path);
            await Api.DocumentedAnswers.AssertMatchesAsync(document, "GET", "/api/tickets/{tokenId}/metadata", answer);
        }
        var image = document["paths"]!["/api/tickets/{tokenId}/image.svg"]!["get"]!["responses"]!;
        Assert.NotNull(image["200"]!["content"]!["image/svg+xml"]);
        Assert.NotNull(image["304"]);
        // 429: a frontend read, rate limited like the others (ServesFrontend).
        Assert.Equal(["400", "404", "429"], image.AsObject().Select(r => r.Key).Where(k => k[0] == '4').Order());
    }

    private bool IsTicketTransfer(CdpActivity d) =>
        d.EventName == "Transfer" && string.Equals(d.ContractAddress, _host.Deployment.TicketContract, StringComparison.OrdinalIgnoreCase);

    /// <summary>EIP-721's schema verbatim, plus what wallets need of it: the three members present, attributes in OpenSea's shape.</summary>
    private static void AssertErc721Metadata(JsonElement metadata)
    {
        var result = Erc721Schema.Evaluate(metadata, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, string.Join("; ", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Values)));
        foreach (var member in new[] { "name", "description", "image", "external_url" })
            Assert.Equal(JsonValueKind.String, metadata.GetProperty(member).ValueKind);
        Assert.True(Uri.TryCreate(metadata.GetProperty("image").GetString(), UriKind.Absolute, out var image) && image.Scheme == "https");
        Assert.Equal(["attributes", "description", "external_url", "image", "name"], metadata.EnumerateObject().Select(p => p.Name).Order());
        foreach (var attribute in metadata.GetProperty("attributes").EnumerateArray())
        {
            var members = attribute.EnumerateObject().Select(p => p.Name).ToArray();
            Assert.True(members.SequenceEqual(["trait_type", "value"]) || members.SequenceEqual(["trait_type", "value", "display_type"]), attribute.GetRawText());
            Assert.Equal(JsonValueKind.String, attribute.GetProperty("trait_type").ValueKind);
            var expectedKind = attribute.TryGetProperty("display_type", out var display) && display.GetString() == "date" ? JsonValueKind.Number : JsonValueKind.String;
            Assert.Equal(expectedKind, attribute.GetProperty("value").ValueKind);
        }
    }

    private static (string Trait, string Value, string? Display)[] Attributes(JsonElement metadata) =>
        metadata.GetProperty("attributes").EnumerateArray().Select(a => (a.GetProperty("trait_type").GetString()!, a.GetProperty("value").GetRawText(),
            a.TryGetProperty("display_type", out var d) ? d.GetString() : null)).ToArray();

    private async Task<(JsonElement Metadata, string ETag)> MetadataAsync(string path)
    {
        using var response = await _host.GetAsync(path);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        return (JsonDocument.Parse(body).RootElement.Clone(), response.Headers.ETag!.Tag);
    }

    private async Task<(XDocument Svg, string ETag)> ImageAsync(string path)
    {
        using var response = await _host.GetAsync(path);
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {Encoding.UTF8.GetString(body)}");
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.StartsWith("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Contains("sandbox", response.Headers.GetValues("Content-Security-Policy").Single());
        // The ETag is over these exact bytes, and the same data gives the same bytes.
        Assert.Equal("\"" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(body)) + "\"", response.Headers.ETag!.Tag);
        using (var again = await _host.GetAsync(path))
            Assert.Equal(body, await again.Content.ReadAsByteArrayAsync());
        return (XDocument.Parse(Encoding.UTF8.GetString(body)), response.Headers.ETag.Tag);
    }

    private static string[] Texts(XDocument svg) => svg.Descendants(Svg + "text").Select(t => t.Value).ToArray();

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string type)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"https://echain.dev/problems/{type}", problem.GetProperty("type").GetString());
        return problem;
    }
}
