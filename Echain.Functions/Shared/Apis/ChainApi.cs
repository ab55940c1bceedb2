using Echain.Core.Chain.Rpc;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Echain.Functions.Shared.Apis;

public static class ChainApi
{
    public static IEndpointRouteBuilder MapChainApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/chain", GetChainAsync).WithTags("Operations");
        return app;
    }

    /// <summary>Always 200: a node outage is shown as rpc.ok=false, so the page can say so.</summary>
    public static async Task<Ok<ChainStatus>> GetChainAsync(ChainStatusReader reader, HttpResponse response, CancellationToken ct)
    {
        var status = await reader.ReadAsync(ct);
        // The head moves every block: a cached copy would be wrong within a second.
        response.Headers.CacheControl = "no-store";
        return TypedResults.Ok(status);
    }
}
