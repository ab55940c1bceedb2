using System.ComponentModel;
using Echain.Functions.Shared.Apis;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Echain.Functions.Shared.OpenApi;

/// <summary>
/// The GraphQL route's answers: 200 with a GraphQL response in both media types (which one follows Accept), and its 400
/// in both too, beside the problem+json 400 of a body that could not be read at all. The generator keeps one type per
/// status, so the 400's GraphQL content is copied from the 200 once the operation is built.
/// </summary>
public sealed class GraphQLResponses : IOpenApiOperationTransformer
{
    /// <summary>Marks a route answered by <see cref="GraphQLAnswer"/>.</summary>
    public sealed class Route
    {
        public static readonly Route Instance = new();
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (!context.Description.ActionDescriptor.EndpointMetadata.OfType<Route>().Any()) return Task.CompletedTask;
        if (operation.Responses?.TryGetValue("200", out var ok) == true && ok is OpenApiResponse { Content: { } answers }
            && operation.Responses.TryGetValue("400", out var bad) && bad is OpenApiResponse { Content: { } refusals } badRequest)
        {
            foreach (var (mediaType, content) in answers) refusals[mediaType] = new OpenApiMediaType { Schema = content.Schema };
            badRequest.Description = "Not a GraphQL request, or (with Accept: application/graphql-response+json) one that did not run: GraphQL errors; " +
                                     "or a body that could not be read: problem+json";
        }
        return Task.CompletedTask;
    }
}

public static class GraphQLResponseMetadata
{
    public static RouteHandlerBuilder ProducesGraphQL(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(
            new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(GraphQLResponseBody), [GraphQLAnswer.JsonType, GraphQLAnswer.GraphQLResponseType]),
            GraphQLResponses.Route.Instance);
}

/// <summary>A GraphQL response (the API description's schema; <see cref="GraphQLAnswer"/> writes the real one).</summary>
[Description("A GraphQL response: `data` when the request ran (null where a field failed), `errors` when anything went wrong.")]
public sealed record GraphQLResponseBody(
    [property: Description("The errors, in GraphQL's format; `extensions.code` says the kind (e.g. INVALID_REQUEST, GRAPHQL_VALIDATION_FAILED).")]
    IReadOnlyList<GraphQLErrorBody>? Errors = null,
    [property: Description("The selected fields; absent when the request did not run.")] IReadOnlyDictionary<string, object?>? Data = null,
    [property: Description("Response extensions; none are sent today.")] IReadOnlyDictionary<string, object?>? Extensions = null);

[Description("One GraphQL error: a message in fixed words, never an exception's text.")]
public sealed record GraphQLErrorBody(
    [property: Description("What went wrong.")] string Message,
    [property: Description("Where in the query (1-based line and column).")] IReadOnlyList<GraphQLErrorLocation>? Locations = null,
    [property: Description("The response path of the field that failed (names and list indexes).")] IReadOnlyList<object>? Path = null,
    [property: Description("`code` and, for validation errors, `number` (the GraphQL specification's rule).")] IReadOnlyDictionary<string, object?>? Extensions = null);

public sealed record GraphQLErrorLocation(int Line, int Column);
