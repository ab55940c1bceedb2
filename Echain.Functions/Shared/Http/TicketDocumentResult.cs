using Echain.Core.Metadata;
using Echain.Core.Reads;

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
        var response = httpContext.Response;
        response.Headers.ETag = document.ETag;
        response.Headers.CacheControl = "no-cache";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["X-Cache"] = document.Source switch
        {
            CacheSource.Cache => "hit",
            CacheSource.Loaded => "miss",
            _ => "bypass",
        };
        if (contentType == TicketImage.ContentType) response.Headers.ContentSecurityPolicy = ImageContentSecurityPolicy;
        if (CachedJsonResult.IfNoneMatchMatches(httpContext.Request, document.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.ContentLength = document.Bytes.Length;
        return response.Body.WriteAsync(document.Bytes).AsTask();
    }
}
