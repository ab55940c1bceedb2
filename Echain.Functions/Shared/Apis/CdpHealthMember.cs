using System.Text.Json;
using Echain.Core.Webhooks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Echain.Functions.Shared.Apis;

/// <summary>
/// Adds <c>cdp</c> to the health report: the latest <c>health.status.updated</c> CDP sent (status, service,
/// occurredAt, receivedAt, eventId), or null when none arrived yet or Redis is down. Informational: CDP's own
/// health never changes Echain's status code. A filter, so the health handler itself stays unaware of it.
/// </summary>
public static class CdpHealthMember
{
    public const string Name = "cdp";

    public static RouteHandlerBuilder WithCdpHealth(this RouteHandlerBuilder endpoint) =>
        endpoint.AddEndpointFilter(async (context, next) =>
        {
            var result = await next(context);
            // Results<A, B> wraps the one it returns.
            if (result is INestedHttpResult nested) result = nested.Result;
            if (result is not (IValueHttpResult { Value: { } value } and IStatusCodeHttpResult { StatusCode: { } status })) return result;
            var services = context.HttpContext.RequestServices;
            var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            var report = JsonSerializer.SerializeToNode(value, value.GetType(), json)!.AsObject();
            report[Name] = JsonSerializer.SerializeToNode(await services.GetRequiredService<ICdpHealthStore>().LatestAsync(), json);
            return TypedResults.Json(report, json, statusCode: status);
        });
}
