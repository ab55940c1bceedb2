using Echain.Core.Reads;
using Microsoft.Net.Http.Headers;

namespace Echain.Functions.Shared.Http;

/// <summary>
/// 200 with the cached JSON bytes and its ETag, or 304 when If-None-Match already names it.
/// The bytes are written as stored: a cache hit costs no serialization. The route declares their shape
/// (<see cref="OpenApi.ApiResponses.ProducesRead{T}"/>): the bytes do not say it.
/// </summary>
public sealed class CachedJsonResult(CachedJson document) : IResult
{
    public CachedJson Document => document;

    public Task ExecuteAsync(HttpContext httpContext) =>
        WriteConditionalAsync(httpContext, document.Utf8Json, document.ETag, document.Source, "application/json; charset=utf-8");

    /// <summary>
    /// The answer of every cached read (JSON or a ticket's documents): the ETag, revalidation on every use, where the bytes came
    /// from, then 304 when If-None-Match names the ETag, else 200 with the bytes. Headers a caller set before stay on both.
    /// </summary>
    internal static Task WriteConditionalAsync(HttpContext httpContext, byte[] bytes, string etag, CacheSource source, string contentType)
    {
        var response = httpContext.Response;
        response.Headers.ETag = etag;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Cache"] = source switch
        {
            CacheSource.Cache => "hit",
            CacheSource.Loaded => "miss",
            _ => "bypass",
        };
        if (IfNoneMatchMatches(httpContext.Request, etag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = contentType;
        response.ContentLength = bytes.Length;
        return response.Body.WriteAsync(bytes).AsTask();
    }

    private static bool IfNoneMatchMatches(HttpRequest request, string etag)
    {
        foreach (var value in request.GetTypedHeaders().IfNoneMatch)
            if (value.Equals(EntityTagHeaderValue.Any) || value.Tag.Equals(etag, StringComparison.Ordinal)) return true;
        return false;
    }
}
