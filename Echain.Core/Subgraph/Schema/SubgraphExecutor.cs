using GraphQL;
using GraphQL.Transport;

namespace Echain.Core.Subgraph.Schema;

/// <summary>Runs one GraphQL request against <see cref="SubgraphSchema"/>: what both hosts' /api/graphql calls.</summary>
public sealed class SubgraphExecutor(SubgraphSchema schema, IServiceProvider services)
{
    private readonly DocumentExecuter _executer = new();

    /// <summary>
    /// A result whose <see cref="ExecutionResult.Executed"/> is false is a request error (unparsable, invalid, over a
    /// limit): no data, only errors.
    /// </summary>
    public Task<ExecutionResult> ExecuteAsync(GraphQLRequest request, CancellationToken ct) =>
        _executer.ExecuteAsync(new ExecutionOptions
        {
            Schema = schema,
            Query = request.Query,
            OperationName = request.OperationName,
            Variables = request.Variables,
            Extensions = request.Extensions,
            RequestServices = services,
            CancellationToken = ct,
        });
}
