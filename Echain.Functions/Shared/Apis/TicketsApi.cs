using Echain.Core.Metadata;
using Echain.Core.Reads;
using Echain.Functions.Shared.Http;
using Echain.Functions.Shared.OpenApi;
using Echain.Functions.Shared.Web;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Echain.Functions.Shared.Apis;

/// <summary>What a wallet or marketplace fetches for a ticket NFT: the contract's tokenURI is {baseURI}{tokenId}/metadata.</summary>
public static class TicketsApi
{
    public static IEndpointRouteBuilder MapTicketsApi(this IEndpointRouteBuilder app)
    {
        var tickets = app.MapGroup("/api/tickets").WithTags("Tickets").ServesFrontend(FrontendRouteKind.Read);
        tickets.MapGet("/{tokenId}/metadata", GetMetadataAsync).ProducesRead<TicketMetadataDocument>().ProducesProblems(400, 404);
        // A conditional read like the JSON ones (ETag, If-None-Match, 304), its body an SVG document.
        tickets.MapGet("/{tokenId}/image.svg", GetImageAsync)
            .WithMetadata(
                new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(string), [TicketImage.ContentType]),
                new ProducesResponseTypeMetadata(StatusCodes.Status304NotModified, typeof(void)),
                ConditionalRead.Instance)
            .ProducesProblems(400, 404);
        return app;
    }

    public static async Task<Results<TicketDocumentResult, ApiProblemResult>> GetMetadataAsync(
        string tokenId, HttpRequest request, [AsParameters] TicketServices services)
    {
        if (!TicketTokenId.TryParse(tokenId, out var id)) return Problems.BadTokenId(tokenId);
        var links = TicketLinks.Resolve(services.Options.Value, $"{request.Scheme}://{request.Host}{request.PathBase}", OwnEventPage(services.Host));
        var read = await services.Documents.GetMetadataAsync(id, links, services.CancellationToken);
        return read.Document is { } document ? TicketDocumentResult.Metadata(document) : Problems.NotFound(read.Missing!);
    }

    public static async Task<Results<TicketDocumentResult, ApiProblemResult>> GetImageAsync(string tokenId, [AsParameters] TicketServices services)
    {
        if (!TicketTokenId.TryParse(tokenId, out var id)) return Problems.BadTokenId(tokenId);
        var read = await services.Documents.GetImageAsync(id, services.CancellationToken);
        return read.Document is { } document ? TicketDocumentResult.Image(document) : Problems.NotFound(read.Missing!);
    }

    /// <summary>This app's event page: at the root standalone, under the WebPages function's mount on the Functions host.</summary>
    private static string OwnEventPage(EchainHost host) =>
        (host.IsAzureFunctions ? WebPagesApi.FunctionsMount : "") + "/events/" + MetadataOptions.EventIdPlaceholder;
}

/// <summary>Services the ticket routes need, bound with [AsParameters].</summary>
public sealed record TicketServices(TicketDocuments Documents, IOptions<MetadataOptions> Options, EchainHost Host, CancellationToken CancellationToken);
