using Echain.Core.Processing;
using GraphQL;
using GraphQL.Execution;
using GraphQL.Transport;
using GraphQL.Validation;
using GraphQL.Validation.Complexity;
using GraphQL.Validation.Errors.Custom;
using GraphQL.Validation.Rules.Custom;
using GraphQLParser.AST;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Echain.Core.Subgraph.Schema;

/// <summary>Runs one GraphQL request against <see cref="SubgraphSchema"/>: what both hosts' /api/graphql calls.</summary>
public sealed class SubgraphExecutor
{
    /// <summary>The one message a client gets for a failure that is not its query's fault; the log has the cause.</summary>
    public const string InternalErrorMessage = "Internal error: the query could not be answered. Try again later.";

    /// <summary>
    /// How the endpoint writes <see cref="ExecutionResult.Errors"/>: messages and codes, never exception details.
    /// The executor already replaces every unexpected exception by <see cref="InternalErrorMessage"/>.
    /// </summary>
    public static IErrorInfoProvider ErrorInfoProvider { get; } = new PublicErrors();

    private readonly SubgraphSchema _schema;
    private readonly IServiceProvider _services;
    private readonly ISubgraphReads _reads;
    private readonly ILogger _logger;
    private readonly IValidationRule[] _rules;
    private readonly DocumentExecuter _executer;

    public SubgraphExecutor(SubgraphSchema schema, IServiceProvider services)
    {
        (_schema, _services) = (schema, services);
        _reads = services.GetRequiredService<ISubgraphReads>();
        _logger = services.GetRequiredService<ILogger<SubgraphExecutor>>();
        var complexity = new ComplexityValidationRule(Limits(services.GetRequiredService<IOptions<SubgraphOptions>>().Value));
        _rules = [.. DocumentValidator.CoreRules, complexity];
        // A document seen before is not parsed or validated again; its cost is (its variables may change `first`).
        _executer = new DocumentExecuter(new GraphQLDocumentBuilder(), new DocumentValidator(), new DefaultExecutionStrategySelector(),
            [new DocumentCache([complexity])]);
    }

    /// <summary>
    /// A result whose <see cref="ExecutionResult.Executed"/> is false is a request error (unparsable, invalid, over a
    /// limit): no data, only errors.
    /// </summary>
    public Task<ExecutionResult> ExecuteAsync(GraphQLRequest request, CancellationToken ct)
    {
        var options = new ExecutionOptions
        {
            Schema = _schema,
            Query = request.Query,
            OperationName = request.OperationName,
            Variables = request.Variables,
            Extensions = request.Extensions,
            RequestServices = _services,
            ValidationRules = _rules,
            UnhandledExceptionDelegate = ToClientError,
            CancellationToken = ct,
        };
        new SubgraphRequest(_reads, ct).AttachTo(options.UserContext);
        return _executer.ExecuteAsync(options);
    }

    // A query Echain refuses keeps its message; a dependency outage stays as it is, for the endpoint to answer 503 like
    // every route; anything else is logged and answered with a fixed message, so no exception text, SQL or type name
    // reaches the client (not even as an error code).
    private Task ToClientError(UnhandledExceptionContext context)
    {
        if (context.OriginalException is SubgraphQueryException refused)
        {
            context.Exception = new ExecutionError(refused.Message) { Code = "BAD_USER_INPUT" };
            return Task.CompletedTask;
        }
        if (FailurePolicy.IsOutage(context.OriginalException)) return Task.CompletedTask;
        _logger.LogError(context.OriginalException, "GraphQL field {Field} failed", context.FieldContext?.FieldDefinition.Name ?? "(document)");
        context.Exception = new ExecutionError(InternalErrorMessage) { Code = "INTERNAL_ERROR" };
        return Task.CompletedTask;
    }

    // Depth is checked here rather than by the rule, so introspection alone may nest as deep as its standard query.
    private static ComplexityOptions Limits(SubgraphOptions limits) => new()
    {
        MaxComplexity = limits.MaxComplexity,
        ValidateComplexityDelegate = context =>
        {
            var allowed = IsIntrospectionOnly(context.ValidationContext.Operation) ? limits.IntrospectionMaxDepth : limits.MaxDepth;
            if (context.Error is null && context.MaxDepth > allowed)
                context.Error = new ComplexityError(
                    $"Query is too nested to execute. Maximum depth is {context.MaxDepth} levels; maximum allowed on this endpoint is {allowed}.");
            return Task.CompletedTask;
        },
    };

    private static bool IsIntrospectionOnly(GraphQLOperationDefinition operation) =>
        operation.SelectionSet.Selections.All(s => s is GraphQLField field && field.Name.Value.Span.StartsWith("__"));
}

/// <summary>
/// graphql-dotnet names an unhandled exception's type in <c>code</c> and its inner exceptions' in <c>codes</c>
/// ("NPGSQL"): no codes list, and a fixed code for any exception that reaches the answer; the exception stays in the log.
/// </summary>
file sealed class PublicErrors() : ErrorInfoProvider(new ErrorInfoProviderOptions { ExposeExceptionDetails = false, ExposeCodes = false })
{
    public override ErrorInfo GetInfo(ExecutionError executionError)
    {
        var info = base.GetInfo(executionError);
        if (executionError is UnhandledError { InnerException: not SubgraphQueryException } && info.Extensions?.ContainsKey("code") == true)
            info.Extensions["code"] = "INTERNAL_SERVER_ERROR";
        return info;
    }
}
