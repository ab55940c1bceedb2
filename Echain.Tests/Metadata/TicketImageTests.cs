using System.Text;
using System.Xml.Linq;
using Echain.Core.Metadata;
using Echain.Core.Reads;

namespace Echain.Tests.Metadata;

/// <summary>The ticket SVG and the metadata's pieces that need no services: escaping, determinism, amounts and settings.</summary>
public sealed class TicketImageTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";
    private static readonly DateTimeOffset Start = new(2027, 9, 10, 19, 0, 0, TimeSpan.Zero);

    private static EventView Event(string title) =>
        new("7", "0xc0ffee0000000000000000000000000000000001", title, "", Start, Start.AddHours(3), "100", "12500000", 1, "99");

    private static TicketView Ticket(bool used, string? type = "Front row") =>
        new("42", "7", "0xaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", type, "12500000", used, false);

    private static XDocument Parse(byte[] svg) => XDocument.Parse(Encoding.UTF8.GetString(svg));

    private static string[] Texts(XDocument svg) => svg.Descendants(Svg + "text").Select(t => t.Value).ToArray();

    [Theory]
    [InlineData("<script>alert(1)</script>")]
    [InlineData("Tom & Jerry's \"Live\"")]
    [InlineData("]]></text><script>x</script>")]
    [InlineData("bell\u0007 and lone \ud800 surrogate")]
    public void A_hostile_title_stays_text_in_a_well_formed_image(string title)
    {
        var bytes = TicketImage.Render(Ticket(used: false), Event(title));
        var svg = Parse(bytes); // throws on malformed XML

        Assert.DoesNotContain(svg.Descendants(), e => e.Name.LocalName is "script" or "foreignObject" or "a" or "image" or "style");
        Assert.DoesNotContain(svg.Descendants().SelectMany(e => e.Attributes()), a => a.Name.LocalName.StartsWith("on", StringComparison.Ordinal) || a.Name.LocalName == "href");
        var shown = XmlSafe(title.Length <= 30 ? title : title[..29] + "…");
        Assert.Contains(shown, Texts(svg));
        Assert.StartsWith(XmlSafe(title.Length <= 30 ? title : title[..29]), svg.Root!.Element(Svg + "title")!.Value);
    }

    /// <summary>What XML can hold of a text: control characters and lone surrogates become U+FFFD.</summary>
    private static string XmlSafe(string text) =>
        new(text.Select(c => c < ' ' || char.IsSurrogate(c) ? '\uFFFD' : c).ToArray());

    [Fact]
    public void The_same_data_gives_the_same_bytes_and_the_check_in_state_is_visibly_different()
    {
        var valid = TicketImage.Render(Ticket(used: false), Event("Harbour lights"));
        Assert.Equal(valid, TicketImage.Render(Ticket(used: false), Event("Harbour lights")));
        var used = TicketImage.Render(Ticket(used: true), Event("Harbour lights"));

        var (validSvg, usedSvg) = (Parse(valid), Parse(used));
        Assert.Contains("VALID", Texts(validSvg));
        Assert.DoesNotContain("USED", Texts(validSvg));
        Assert.Contains("USED", Texts(usedSvg));
        Assert.DoesNotContain("VALID", Texts(usedSvg));
        Assert.Equal(("valid", "used"), (validSvg.Root!.Attribute("data-status")!.Value, usedSvg.Root!.Attribute("data-status")!.Value));
        // The card and the badge change colour, not only the word.
        string[] Fills(XDocument svg) => svg.Descendants(Svg + "rect").Select(r => r.Attribute("fill")!.Value).ToArray();
        Assert.Empty(Fills(validSvg).Intersect(Fills(usedSvg)));

        Assert.Equal(["Harbour lights", "Fri 10 Sep 2027, 19:00 UTC", "Front row", "Ticket #42", "12.5 USDC", "VALID"], Texts(validSvg));
        Assert.Equal(("600", "400"), (validSvg.Root.Attribute("width")!.Value, validSvg.Root.Attribute("height")!.Value));
    }

    [Fact]
    public void A_long_title_is_shortened_without_splitting_a_character()
    {
        var title = string.Concat(Enumerable.Repeat("🎟", 40)); // 40 surrogate pairs
        var texts = Texts(Parse(TicketImage.Render(Ticket(used: false, type: null), Event(title))));
        Assert.Equal(string.Concat(Enumerable.Repeat("🎟", 29)) + "…", texts[0]);
        Assert.Equal("General admission", texts[2]);
    }

    [Theory]
    [InlineData("12500000", "12.5")]
    [InlineData("25000000", "25")]
    [InlineData("0", "0")]
    [InlineData("1", "0.000001")]
    [InlineData("115792089237316195423570985008687907853269984665640564039457584007913129639935",
        "115792089237316195423570985008687907853269984665640564039457584007913129.639935")]
    public void Prices_are_decimal_strings_with_the_payment_tokens_6_decimals(string units, string expected) =>
        Assert.Equal(expected, TicketMetadata.FormatUnits(units, TicketMetadata.PaymentTokenDecimals));

    [Theory]
    [InlineData(null, null, true)]
    [InlineData("https://api.example", "https://app.example/events/{eventId}", true)]
    [InlineData("https://api.example/echain/", "https://app.example/e?id={eventId}", true)]
    [InlineData("api.example", null, false)]
    [InlineData("ftp://api.example", null, false)]
    [InlineData("https://api.example?x=1", null, false)]
    [InlineData(null, "https://app.example/events/", false)]
    [InlineData(null, "/events/{eventId}", false)]
    public void Metadata_settings_are_absolute_http_urls(string? publicBaseUrl, string? eventPageUrl, bool valid)
    {
        var options = new MetadataOptions { PublicBaseUrl = publicBaseUrl, EventPageUrl = eventPageUrl };
        Assert.Equal(valid, options.IsValid(out var error));
        if (!valid) Assert.StartsWith("Echain:Metadata:", error);
    }

    [Fact]
    public void Links_come_from_the_settings_else_from_the_request_and_the_hosts_own_page()
    {
        var own = TicketLinks.Resolve(new MetadataOptions(), "http://localhost:7071", "/api/web/events/{eventId}");
        Assert.Equal(("http://localhost:7071/api/tickets/5/image.svg", "http://localhost:7071/api/web/events/7"), (own.Image("5"), own.EventPageOf("7")));

        var configured = TicketLinks.Resolve(new MetadataOptions { PublicBaseUrl = "https://api.example/", EventPageUrl = "https://app.example/e/{eventId}" },
            "http://10.0.0.4:8080", "/events/{eventId}");
        Assert.Equal(("https://api.example/api/tickets/5/image.svg", "https://app.example/e/7"), (configured.Image("5"), configured.EventPageOf("7")));
    }
}
