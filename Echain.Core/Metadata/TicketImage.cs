using System.Globalization;
using System.Text;
using Echain.Core.Reads;

namespace Echain.Core.Metadata;

/// <summary>
/// A ticket's generated SVG (600×400, within EIP-721's suggested 1.91:1 to 4:5): event title, date, ticket type, token id,
/// price and a check-in badge, VALID (blue card, green badge) or USED (grey card, red badge). Every text is user input
/// from the chain and is XML-escaped; the image has no script, no link and no external reference. Invariant culture and
/// no clock: the same data gives the same bytes, so its ETag is stable.
/// </summary>
public static class TicketImage
{
    public const string ContentType = "image/svg+xml";
    public const int Width = 600;
    public const int Height = 400;

    // Characters that fit a line at each font size (a system sans-serif); longer texts end with "…".
    private const int TitleChars = 30;
    private const int LineChars = 42;
    private const int IdChars = 24;
    private const string Font = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif\"";

    public static byte[] Render(TicketView ticket, EventView ev)
    {
        var used = ticket.IsUsed;
        var (card, badge, state) = used ? ("#4b5563", "#b91c1c", "USED") : ("#1e3a8a", "#15803d", "VALID");
        var date = ev.StartTime.UtcDateTime.ToString("ddd d MMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);
        var price = TicketMetadata.FormatUnits(ticket.Price ?? "0", TicketMetadata.PaymentTokenDecimals) + " USDC";
        var label = $"{ev.Title} — Ticket #{ticket.TokenId} ({state})";

        var svg = new StringBuilder(1500);
        svg.Append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").Append(Width).Append("\" height=\"").Append(Height)
            .Append("\" viewBox=\"0 0 ").Append(Width).Append(' ').Append(Height).Append("\" role=\"img\" aria-label=\"").Append(Xml(label))
            .Append("\" data-status=\"").Append(used ? "used" : "valid").Append("\">\n");
        svg.Append("<title>").Append(Xml(label)).Append("</title>\n");
        svg.Append("<rect width=\"600\" height=\"400\" rx=\"24\" fill=\"").Append(card).Append("\"/>\n");
        Text(svg, 40, 84, 34, "700", "#ffffff", Fit(ev.Title, TitleChars));
        Text(svg, 40, 130, 22, "400", "#e5e7eb", date);
        Text(svg, 40, 170, 22, "400", "#e5e7eb", Fit(ticket.TicketType is { Length: > 0 } type ? type : "General admission", LineChars));
        // The perforation between the event and the stub.
        svg.Append("<line x1=\"24\" y1=\"240\" x2=\"576\" y2=\"240\" stroke=\"#ffffff\" stroke-opacity=\"0.5\" stroke-width=\"2\" stroke-dasharray=\"8 8\"/>\n");
        Text(svg, 40, 312, 22, "600", "#ffffff", "Ticket #" + Fit(ticket.TokenId, IdChars));
        Text(svg, 40, 350, 20, "400", "#e5e7eb", price);
        svg.Append("<rect x=\"396\" y=\"286\" width=\"164\" height=\"68\" rx=\"14\" fill=\"").Append(badge).Append("\"/>\n");
        svg.Append("<text x=\"478\" y=\"331\" text-anchor=\"middle\" ").Append(Font)
            .Append(" font-size=\"30\" font-weight=\"800\" letter-spacing=\"2\" fill=\"#ffffff\">").Append(state).Append("</text>\n");
        svg.Append("</svg>\n");
        return Encoding.UTF8.GetBytes(svg.ToString());
    }

    private static void Text(StringBuilder svg, int x, int y, int size, string weight, string fill, string text) =>
        svg.Append("<text x=\"").Append(x).Append("\" y=\"").Append(y).Append("\" ").Append(Font)
            .Append(" font-size=\"").Append(size).Append("\" font-weight=\"").Append(weight).Append("\" fill=\"").Append(fill).Append("\">")
            .Append(Xml(text)).Append("</text>\n");

    /// <summary>At most <paramref name="max"/> text elements (a surrogate pair or an accented letter is never split).</summary>
    internal static string Fit(string text, int max)
    {
        if (text.Length <= max) return text;
        var elements = new List<string>();
        var enumerator = StringInfo.GetTextElementEnumerator(text);
        while (enumerator.MoveNext()) elements.Add(enumerator.GetTextElement());
        return elements.Count <= max ? text : string.Concat(elements.Take(max - 1)) + "…";
    }

    /// <summary>
    /// Text as XML character data and attribute values: the five markup characters escaped; what XML 1.0 cannot hold
    /// (control characters, lone surrogates, U+FFFE/U+FFFF) becomes U+FFFD, so any title still gives a well-formed image.
    /// </summary>
    public static string Xml(string text)
    {
        var xml = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                xml.Append(c).Append(text[++i]);
                continue;
            }
            xml.Append(c switch
            {
                '<' => "&lt;",
                '>' => "&gt;",
                '&' => "&amp;",
                '"' => "&quot;",
                '\'' => "&#39;",
                '\t' or '\n' or '\r' => " ",
                _ when c < ' ' || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF' => "\uFFFD",
                _ => c.ToString(),
            });
        }
        return xml.ToString();
    }
}
