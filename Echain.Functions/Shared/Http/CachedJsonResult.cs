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

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.Headers.ETag = document.ETag;
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Cache"] = document.Source switch
        {
            CacheSource.Cache => "hit",
            CacheSource.Loaded => "miss",
            _ => "bypass",
        };
        if (IfNoneMatchMatches(httpContext.Request, document.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/json; charset=utf-8";
        response.ContentLength = document.Utf8Json.Length;
        return response.Body.WriteAsync(document.Utf8Json).AsTask();
    }

    internal static bool IfNoneMatchMatches(HttpRequest request, string etag)
    {
        foreach (var value in request.GetTypedHeaders().IfNoneMatch)
            if (value.Equals(EntityTagHeaderValue.Any) || value.Tag.Equals(etag, StringComparison.Ordinal)) return true;
        return false;
    }
}
