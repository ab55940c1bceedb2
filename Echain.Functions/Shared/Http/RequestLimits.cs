using Echain.Core;
using Microsoft.AspNetCore.Http.Features;

namespace Echain.Functions.Shared.Http;

/// <summary>
/// Kestrel's documented request-line and header limits, enforced here so that a request over them is answered
/// with problem+json: Kestrel itself rejects an oversized request line (414) or header block (431) before any app
/// code runs, with an empty body and no hook to change it. So Kestrel's own limits are raised to
/// <see cref="KestrelRequestLineBytes"/> / <see cref="KestrelHeaderBytes"/> / <see cref="KestrelHeaderCount"/>
/// (beyond those it still answers empty) and the documented ones are checked first in the pipeline.
/// </summary>
public static class RequestLimits
{
    /// <summary>Kestrel's default MaxRequestLineSize: what a client may rely on.</summary>
    public const int MaxRequestLineBytes = 8 * 1024;
    /// <summary>Kestrel's default MaxRequestHeadersTotalSize.</summary>
    public const int MaxHeaderBytes = 32 * 1024;
    /// <summary>Kestrel's default MaxRequestHeaderCount.</summary>
    public const int MaxHeaderCount = 100;

    public const int KestrelRequestLineBytes = 64 * 1024;
    public const int KestrelHeaderBytes = 64 * 1024;
    public const int KestrelHeaderCount = 200;

    public static WebApplicationBuilder AddEchainRequestLimits(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestLineSize = KestrelRequestLineBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = KestrelHeaderBytes;
            kestrel.Limits.MaxRequestHeaderCount = KestrelHeaderCount;
        });
        return builder;
    }

    /// <summary>First in the pipeline (after request logging), so nothing else reads an oversized request.</summary>
    public static WebApplication UseEchainRequestLimits(this WebApplication app)
    {
        app.Use((context, next) => Rejection(context) is { } problem ? new ApiProblemResult(problem).ExecuteAsync(context) : next(context));
        return app;
    }

    /// <summary>The problem for a request over the documented limits, measured as Kestrel measures them; null when within.</summary>
    public static ApiProblem? Rejection(HttpContext context)
    {
        var request = context.Features.Get<IHttpRequestFeature>();
        if (request is not null)
        {
            // "GET /path?query HTTP/1.1" plus CRLF, the bytes Kestrel counts against MaxRequestLineSize.
            var line = request.Method.Length + 1 + request.RawTarget.Length + 1 + request.Protocol.Length + 2;
            if (line > MaxRequestLineBytes) return ApiProblem.UriTooLong(MaxRequestLineBytes);
        }
        long bytes = 0;
        var count = 0;
        foreach (var (name, values) in context.Request.Headers)
            foreach (var value in values)
            {
                // "Name: value" plus CRLF per field line.
                bytes += name.Length + 2 + (value?.Length ?? 0) + 2;
                count++;
            }
        return bytes > MaxHeaderBytes || count > MaxHeaderCount ? ApiProblem.HeadersTooLarge(MaxHeaderBytes, MaxHeaderCount) : null;
    }
}
