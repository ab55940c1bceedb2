namespace Echain.Core.Metadata;

/// <summary>Section "Echain:Metadata": where the absolute URLs of a ticket's ERC-721 metadata point.</summary>
public sealed class MetadataOptions
{
    public const string Section = "Echain:Metadata";

    /// <summary>The event id placeholder of <see cref="EventPageUrl"/>.</summary>
    public const string EventIdPlaceholder = "{eventId}";

    /// <summary>
    /// This API's public origin (and path base, if any) as wallets reach it, e.g. "https://api.example"; the metadata's
    /// <c>image</c> is {PublicBaseUrl}/api/tickets/{id}/image.svg. Empty: the request's own scheme and host.
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>
    /// The event page the metadata's <c>external_url</c> names, with "{eventId}", e.g. "https://app.example/events/{eventId}".
    /// Empty: this app's own page under <see cref="PublicBaseUrl"/> (or the request's origin).
    /// </summary>
    public string? EventPageUrl { get; set; }

    /// <summary>False, with the offending setting, when a URL is not absolute http(s) or the template lacks its placeholder.</summary>
    public bool IsValid(out string? error)
    {
        error = null;
        if (!string.IsNullOrWhiteSpace(PublicBaseUrl) && !IsHttpUrl(PublicBaseUrl))
            error = $"{Section}:{nameof(PublicBaseUrl)} = '{PublicBaseUrl}' is not an absolute http(s) URL (e.g. https://api.example).";
        else if (!string.IsNullOrWhiteSpace(EventPageUrl)
                 && (!EventPageUrl.Contains(EventIdPlaceholder, StringComparison.Ordinal) || !IsHttpUrl(EventPageUrl.Replace(EventIdPlaceholder, "1", StringComparison.Ordinal), allowQuery: true)))
            error = $"{Section}:{nameof(EventPageUrl)} = '{EventPageUrl}' is not an absolute http(s) URL containing {EventIdPlaceholder}.";
        return error is null;
    }

    // A base with a query or fragment could not have "/api/tickets/…" appended; a page template may carry a query.
    private static bool IsHttpUrl(string text, bool allowQuery = false) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
        && (allowQuery || uri.Query.Length == 0) && uri.Fragment.Length == 0;
}

/// <summary>
/// The absolute URLs one metadata answer names. <paramref name="ApiBase"/>: origin plus path base, no trailing slash;
/// <paramref name="EventPage"/>: a template with {eventId}.
/// </summary>
public sealed record TicketLinks(string ApiBase, string EventPage)
{
    /// <summary>
    /// From the settings, else from the request's origin (<paramref name="requestBase"/>: scheme://host[:port][/pathbase])
    /// with the host's own event page path (<paramref name="ownEventPagePath"/>, e.g. "/events/{eventId}").
    /// </summary>
    public static TicketLinks Resolve(MetadataOptions options, string requestBase, string ownEventPagePath)
    {
        var apiBase = (string.IsNullOrWhiteSpace(options.PublicBaseUrl) ? requestBase : options.PublicBaseUrl.Trim()).TrimEnd('/');
        var eventPage = string.IsNullOrWhiteSpace(options.EventPageUrl) ? apiBase + ownEventPagePath : options.EventPageUrl.Trim();
        return new TicketLinks(apiBase, eventPage);
    }

    public string Image(string tokenId) => $"{ApiBase}/api/tickets/{Uri.EscapeDataString(tokenId)}/image.svg";

    public string EventPageOf(string eventId) =>
        EventPage.Replace(MetadataOptions.EventIdPlaceholder, Uri.EscapeDataString(eventId), StringComparison.Ordinal);
}
