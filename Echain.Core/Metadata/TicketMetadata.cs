using System.ComponentModel;
using System.Globalization;
using System.Numerics;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Echain.Core.Reads;

namespace Echain.Core.Metadata;

/// <summary>
/// The ERC-721 metadata JSON of one ticket (EIP-721's "ERC721 Metadata JSON Schema": name, description, image) plus the
/// marketplace fields external_url and attributes. Member names are the standard's (snake_case), not the API's camelCase.
/// </summary>
[Description("ERC-721 metadata (EIP-721 name, description, image) with external_url and attributes as wallets and marketplaces read them.")]
public sealed record TicketMetadataDocument(
    [property: JsonPropertyName("name"), Description("\"{event title} — Ticket #{tokenId}\".")] string Name,
    [property: JsonPropertyName("description"), Description("The event's description, or a sentence naming the event when it has none.")] string Description,
    [property: JsonPropertyName("image"), Description("Absolute URL of the ticket's generated SVG (GET /api/tickets/{tokenId}/image.svg).")] string Image,
    [property: JsonPropertyName("external_url"), Description("Absolute URL of the event's page.")] string ExternalUrl,
    [property: JsonPropertyName("attributes"), Description("Event, Event ID, Event date (display_type date, unix seconds), Ticket type, Price (USDC), Status (Valid or Used).")]
    IReadOnlyList<TicketAttribute> Attributes);

/// <summary>One trait as OpenSea-style marketplaces show it.</summary>
public sealed record TicketAttribute(
    [property: JsonPropertyName("trait_type")] string TraitType,
    [property: JsonPropertyName("value"), Description("A string, or a number for a date (unix seconds).")] object Value,
    [property: JsonPropertyName("display_type"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DisplayType = null);

/// <summary>Composes a ticket's metadata from its cached ticket entry and its event's: the same data gives the same bytes.</summary>
public static class TicketMetadata
{
    /// <summary>
    /// The payment token's decimals. Echain stores prices as the contract's raw uint256 units and does not read the token's
    /// decimals(): the ticket contract is priced in USDC (and TestUsdc on the local chain), which has 6.
    /// </summary>
    public const int PaymentTokenDecimals = 6;

    public const string Valid = "Valid";
    public const string Used = "Used";

    // Relaxed escaping, as problem+json: the document is served as JSON with nosniff, never embedded in HTML, and
    // "—" or a title's quotes read better than \u2014 and \u0022 in a wallet's debug view.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static TicketMetadataDocument Compose(TicketView ticket, EventView ev, TicketLinks links) => new(
        $"{ev.Title} — Ticket #{ticket.TokenId}",
        ev.Description.Length > 0 ? ev.Description : $"A ticket for {ev.Title}.",
        links.Image(ticket.TokenId),
        links.EventPageOf(ev.EventId),
        [
            new("Event", ev.Title),
            new("Event ID", ev.EventId),
            new("Event date", ev.StartTime.ToUnixTimeSeconds(), "date"),
            new("Ticket type", ticket.TicketType ?? ""),
            new("Price (USDC)", FormatUnits(ticket.Price ?? "0", PaymentTokenDecimals)),
            new("Status", ticket.IsUsed ? Used : Valid),
        ]);

    public static byte[] Render(TicketView ticket, EventView ev, TicketLinks links) =>
        JsonSerializer.SerializeToUtf8Bytes(Compose(ticket, ev, links), Json);

    /// <summary>A raw uint256 amount as a decimal string with <paramref name="decimals"/> places, trailing zeros dropped: "12500000" → "12.5".</summary>
    public static string FormatUnits(string units, int decimals)
    {
        var value = BigInteger.Parse(units, NumberStyles.None, CultureInfo.InvariantCulture);
        var scale = BigInteger.Pow(10, decimals);
        var whole = BigInteger.DivRem(value, scale, out var fraction).ToString(CultureInfo.InvariantCulture);
        if (fraction.IsZero) return whole;
        return whole + "." + fraction.ToString(CultureInfo.InvariantCulture).PadLeft(decimals, '0').TrimEnd('0');
    }
}
