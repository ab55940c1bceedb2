using Echain.Core.Metadata;

namespace Echain.Functions.Shared.Http;

/// <summary>
/// A ticket's metadata JSON or SVG image: 200 with the exact bytes and their strong ETag, or 304 when If-None-Match names
/// it, revalidated on every use like the other cached reads. The image is user-controlled text rendered as SVG, a format
/// that can carry script when opened directly: nosniff keeps it an image, and its own CSP allows nothing to load or run.
/// </summary>
public sealed class TicketDocumentResult(TicketDocument document, string contentType) : IResult
{
    public const string ImageContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; sandbox";

    public static TicketDocumentResult Metadata(TicketDocument document) => new(document, "application/json; charset=utf-8");

    public static TicketDocumentResult Image(TicketDocument document) => new(document, TicketImage.ContentType);

    public TicketDocument Document => document;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.XContentTypeOptions = "nosniff";
        if (contentType == TicketImage.ContentType) httpContext.Response.Headers.ContentSecurityPolicy = ImageContentSecurityPolicy;
        return CachedJsonResult.WriteConditionalAsync(httpContext, document.Bytes, document.ETag, document.Source, contentType);
    }
}
