using System.Diagnostics;
using Echain.Core.Telemetry;
using Echain.Functions.Shared.Http;

namespace Echain.Functions.Shared.Telemetry;

/// <summary>
/// Query response time per read route (<see cref="KpiMetrics.ReadDuration"/>): every route marked
/// <c>.ServesFrontend(FrontendRouteKind.Read)</c>, timed from the request to its written answer, tagged with its route pattern
/// (never the path: ids and addresses would make one time series per value).
/// </summary>
public static class ReadTimings
{
    public static WebApplication UseEchainReadTimings(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var endpoint = context.GetEndpoint();
            if (endpoint?.Metadata.GetMetadata<FrontendRoute>() is not { Kind: FrontendRouteKind.Read })
            {
                await next(context);
                return;
            }
            var started = Stopwatch.GetTimestamp();
            try
            {
                await next(context);
            }
            finally
            {
                var route = (endpoint as RouteEndpoint)?.RoutePattern.RawText ?? "unknown";
                KpiMetrics.ReadDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds,
                    new KeyValuePair<string, object?>("route", route),
                    new KeyValuePair<string, object?>("status", context.Response.StatusCode));
            }
        });
        return app;
    }
}
