using System.Collections.Concurrent;
using GraphQL;
using GraphQL.DI;
using GraphQL.Validation;
using GraphQLParser.AST;

namespace Echain.Core.Subgraph.Schema;

/// <summary>
/// Parsed and validated documents by their text: a frontend sends the same few queries with new variables, so each is
/// parsed and checked against the schema once. Only <paramref name="cachedRules"/> run again on a cached document — the
/// complexity limit, whose cost depends on the variables (<c>first: $n</c>). A document that did not validate is never
/// kept. At most <paramref name="maxEntries"/> documents: past that the cache starts over (the few real queries come
/// back at once; arbitrary texts cannot grow it without bound).
/// </summary>
internal sealed class DocumentCache(IValidationRule[] cachedRules, int maxEntries = 500) : IConfigureExecution
{
    private readonly ConcurrentDictionary<string, GraphQLDocument> _documents = new(StringComparer.Ordinal);

    public float SortOrder => 200;

    public async Task<ExecutionResult> ExecuteAsync(ExecutionOptions options, ExecutionDelegate next)
    {
        if (options.Document is not null || options.Query is not { } query) return await next(options);
        if (_documents.TryGetValue(query, out var document))
        {
            options.Document = document;
            options.ValidationRules = cachedRules;
            return await next(options);
        }

        var result = await next(options);
        if (result is { Executed: true, Document: { } validated })
        {
            if (_documents.Count >= maxEntries) _documents.Clear();
            _documents.TryAdd(query, validated);
        }
        return result;
    }
}
