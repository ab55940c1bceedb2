using System.Collections.Concurrent;
using System.Text;
using Echain.Core.Reads;
using Echain.Core.Subgraph;

namespace Echain.Tests.Subgraph;

/// <summary>
/// <see cref="SubgraphBatch{TKey}"/> alone, over a cache that only does what matters here: a single flight per entry that
/// a later reader joins (its load delegate then never called), with the probes ordered by the test.
/// </summary>
public sealed class SubgraphBatchJoinTests
{
    [Fact]
    public async Task Two_batches_each_joining_the_entry_the_other_loads_both_finish_with_one_load_each()
    {
        // Batch A misses 1 first, batch B misses 2 first; only then do A's probe of 2 and B's probe of 1 run, and each
        // joins the other's flight. A batch that waited for all of its keys would wait for the other for ever.
        var cache = new JoiningCache(delayedCalls: [2, 4]); // A's probe of 2, B's probe of 1
        var loads = new ConcurrentBag<string>();
        Task<IReadOnlyDictionary<int, byte[]>> Load(IReadOnlyList<int> keys)
        {
            loads.Add(string.Join(",", keys.Order()));
            return Task.FromResult<IReadOnlyDictionary<int, byte[]>>(keys.ToDictionary(k => k, k => Encoding.UTF8.GetBytes($"v{k}")));
        }

        var a = SubgraphBatch<int>.RunAsync(cache, [1, 2], k => ($"r{k}", "", TimeSpan.FromMinutes(1)), Load, default);
        var b = SubgraphBatch<int>.RunAsync(cache, [2, 1], k => ($"r{k}", "", TimeSpan.FromMinutes(1)), Load, default);
        var results = await Task.WhenAll(a, b).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.All(results, r => Assert.Equal(["v1", "v2"], r.OrderBy(p => p.Key).Select(p => Encoding.UTF8.GetString(p.Value))));
        Assert.Equal(["1", "2"], loads.Order());
        Assert.Equal(2, cache.DelegatesCalled);
    }

    [Fact]
    public async Task A_failing_load_fails_every_reader_of_its_round()
    {
        var cache = new JoiningCache(delayedCalls: []);
        var failure = Assert.ThrowsAsync<InvalidOperationException>(() => SubgraphBatch<int>.RunAsync(cache, [1, 2, 3],
            k => ($"r{k}", "", TimeSpan.FromMinutes(1)), _ => throw new InvalidOperationException("store down"), default));
        Assert.Equal("store down", (await failure.WaitAsync(TimeSpan.FromSeconds(10))).Message);
    }

    /// <summary>Calls are numbered as they arrive; a delayed call probes only once two flights exist.</summary>
    private sealed class JoiningCache(int[] delayedCalls) : IReadCache
    {
        private readonly ConcurrentDictionary<string, Task<CachedJson?>> _flights = new();
        private int _calls;
        private int _delegates;

        public int DelegatesCalled => Volatile.Read(ref _delegates);

        public async Task<CachedJson?> GetOrLoadAsync(string resource, string variant, TimeSpan ttl,
            Func<CancellationToken, Task<byte[]?>> load, CancellationToken cancellationToken)
        {
            var entry = resource + "\n" + variant;
            if (delayedCalls.Contains(Interlocked.Increment(ref _calls)))
                while (_flights.Count < 2) await Task.Delay(5, cancellationToken);
            else
                await Task.Yield();

            var mine = new TaskCompletionSource<CachedJson?>(TaskCreationOptions.RunContinuationsAsynchronously);
            var flight = _flights.GetOrAdd(entry, mine.Task);
            if (flight != mine.Task) return await flight; // joined: this reader's delegate is never called
            Interlocked.Increment(ref _delegates);
            try
            {
                var json = await load(CancellationToken.None);
                mine.SetResult(json is null ? null : new CachedJson(json, CachedJson.ETagOf(json), CacheSource.Loaded));
            }
            catch (Exception ex)
            {
                mine.SetException(ex);
            }
            return await mine.Task;
        }

        public Task InvalidateAsync(IReadOnlyCollection<string> resources, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
