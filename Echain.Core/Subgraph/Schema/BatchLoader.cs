using GraphQL.DataLoader;

namespace Echain.Core.Subgraph.Schema;

/// <summary>
/// Collects the keys one level of a query asks for and answers them with one fetch. graphql-dotnet resolves every
/// field of a level before it awaits any <see cref="IDataLoaderResult"/>, so the first await finds all the level's
/// keys pending; keys added after a fetch started go to the next batch. One instance serves one request.
/// </summary>
internal sealed class BatchLoader<TValue>(
    Func<IReadOnlyCollection<string>, CancellationToken, Task<IReadOnlyDictionary<string, TValue>>> fetch)
    where TValue : class
{
    private readonly Lock _gate = new();
    private Batch _pending = new();

    public IDataLoaderResult<TValue?> Load(string key)
    {
        lock (_gate)
        {
            _pending.Keys.Add(key);
            return new PendingValue(this, _pending, key);
        }
    }

    private Task<IReadOnlyDictionary<string, TValue>> Run(Batch batch, CancellationToken ct)
    {
        lock (_gate)
        {
            if (batch.Fetch is null)
            {
                if (ReferenceEquals(batch, _pending))
                    _pending = new Batch();
                batch.Fetch = fetch(batch.Keys, ct);
            }
            return batch.Fetch;
        }
    }

    private sealed class Batch
    {
        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);
        public Task<IReadOnlyDictionary<string, TValue>>? Fetch { get; set; }
    }

    private sealed class PendingValue(BatchLoader<TValue> loader, Batch batch, string key) : IDataLoaderResult<TValue?>
    {
        public async Task<TValue?> GetResultAsync(CancellationToken cancellationToken = default)
        {
            var values = await loader.Run(batch, cancellationToken);
            return values.GetValueOrDefault(key);
        }

        async Task<object?> IDataLoaderResult.GetResultAsync(CancellationToken cancellationToken) =>
            await GetResultAsync(cancellationToken);
    }
}
