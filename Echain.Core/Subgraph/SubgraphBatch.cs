using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Echain.Core.Reads;

namespace Echain.Core.Subgraph;

/// <summary>
/// Cache-aside for many keys at once, the misses loaded together: every key is probed through
/// <see cref="IReadCache.GetOrLoadAsync"/> concurrently (the probes pipeline), and each miss's load delegate joins a
/// round that runs one load for all of them once every key has either hit, missed (registered) or is waiting for
/// another batch's load of the same entry.
/// </summary>
/// <remarks>
/// That last case is why a batch does not simply wait for all of its keys: the cache's single flight lets a key join a
/// load another batch runs, and two batches each waiting for a key the other loads would wait for ever. The registry
/// of the cache instance (where single flights live) tells which entries another batch is loading. A key whose load
/// delegate is called after its batch's round ran (it was not joined after all) starts a further round.
/// </remarks>
internal sealed class SubgraphBatch<TKey> where TKey : notnull
{
    private static readonly ConditionalWeakTable<IReadCache, Registry> Registries = new();

    private readonly object _gate = new();
    private readonly Registry _registry;
    private readonly Dictionary<TKey, string> _entries;
    private readonly HashSet<TKey> _unsettled;
    private readonly Func<IReadOnlyList<TKey>, Task<IReadOnlyDictionary<TKey, byte[]>>> _load;
    private Dictionary<TKey, TaskCompletionSource<byte[]?>> _round = [];

    private SubgraphBatch(Registry registry, Dictionary<TKey, string> entries,
        Func<IReadOnlyList<TKey>, Task<IReadOnlyDictionary<TKey, byte[]>>> load)
    {
        _registry = registry;
        _entries = entries;
        _unsettled = [.. entries.Keys];
        _load = load;
    }

    /// <summary>
    /// The cached or loaded JSON of each key (absent when its load found nothing). <paramref name="load"/> gets the
    /// misses of one round and answers those that exist; it gets no caller's token, as it serves every joined reader.
    /// </summary>
    public static async Task<Dictionary<TKey, byte[]>> RunAsync(
        IReadCache cache, IReadOnlyCollection<TKey> keys, Func<TKey, (string Resource, string Variant, TimeSpan Ttl)> entryOf,
        Func<IReadOnlyList<TKey>, Task<IReadOnlyDictionary<TKey, byte[]>>> load, CancellationToken ct)
    {
        var entries = keys.Distinct().ToDictionary(k => k, k => entryOf(k));
        var batch = new SubgraphBatch<TKey>(Registries.GetValue(cache, _ => new Registry()),
            entries.ToDictionary(e => e.Key, e => e.Value.Resource + "\n" + e.Value.Variant), load);
        batch._registry.Waiting.TryAdd(batch, batch.TryRun);
        try
        {
            var results = await Task.WhenAll(entries.Select(async e =>
            {
                try
                {
                    var (resource, variant, ttl) = e.Value;
                    return (e.Key, Json: await cache.GetOrLoadAsync(resource, variant, ttl, _ => batch.Register(e.Key), ct));
                }
                finally
                {
                    batch.Settle(e.Key);
                }
            }));
            return results.Where(r => r.Json is not null).ToDictionary(r => r.Key, r => r.Json!.Utf8Json);
        }
        finally
        {
            batch._registry.Waiting.TryRemove(batch, out _);
        }
    }

    private Task<byte[]?> Register(TKey key)
    {
        var result = new TaskCompletionSource<byte[]?>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _round[key] = result;
            _unsettled.Remove(key);
        }
        _registry.Loading[_entries[key]] = this;
        _registry.Changed(); // batches waiting on this entry may run now, this one included
        return result.Task;
    }

    private void Settle(TKey key)
    {
        lock (_gate) _unsettled.Remove(key);
        TryRun();
    }

    private void TryRun()
    {
        Dictionary<TKey, TaskCompletionSource<byte[]?>> round;
        lock (_gate)
        {
            if (_round.Count == 0 || _unsettled.Any(k => !_registry.LoadedByOther(_entries[k], this))) return;
            round = _round;
            _round = [];
        }
        _ = RunRoundAsync(round);
    }

    private async Task RunRoundAsync(Dictionary<TKey, TaskCompletionSource<byte[]?>> round)
    {
        try
        {
            var loaded = await _load([.. round.Keys]);
            foreach (var (key, result) in round) result.TrySetResult(loaded.GetValueOrDefault(key));
        }
        catch (Exception ex)
        {
            foreach (var result in round.Values) result.TrySetException(ex); // every reader of the round sees the store's failure
        }
        finally
        {
            foreach (var key in round.Keys) _registry.Loading.TryRemove(KeyValuePair.Create(_entries[key], (object)this));
        }
    }

    /// <summary>Per cache instance: which batch loads which entry, and the batches still waiting to run.</summary>
    private sealed class Registry
    {
        public ConcurrentDictionary<string, object> Loading { get; } = new(StringComparer.Ordinal);
        public ConcurrentDictionary<object, Action> Waiting { get; } = new();

        public bool LoadedByOther(string entry, object batch) => Loading.TryGetValue(entry, out var owner) && owner != batch;

        public void Changed()
        {
            foreach (var tryRun in Waiting.Values) tryRun();
        }
    }
}
