using System.Collections.Concurrent;

namespace Echain.Core.Reads;

/// <summary>
/// One load per (key, version) per process for <see cref="RedisReadCache"/>: readers that saw the same version
/// join the running load; a reader that saw an older version than the running load's loads privately, and one
/// that saw a newer version replaces it (the remarks of <see cref="RedisReadCache"/> give the argument).
/// </summary>
internal sealed class SingleFlight
{
    private readonly ConcurrentDictionary<string, Flight> _flights = new(StringComparer.Ordinal);

    /// <summary><paramref name="cancellationToken"/> stops only this caller's wait; the load serves every joined reader.</summary>
    public async Task<CachedJson?> RunAsync(string key, long version, Func<Task<CachedJson?>> load, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_flights.TryGetValue(key, out var current))
            {
                if (current.Version == version)
                    return await current.Result.Task.WaitAsync(cancellationToken);
                if (current.Version > version)
                {
                    // We read before an invalidation the running load saw; load privately rather than evict it.
                    var own = new Flight(version);
                    _ = FlyAsync(own, null, load);
                    return await own.Result.Task.WaitAsync(cancellationToken);
                }
            }
            var mine = new Flight(version);
            var registered = current is null ? _flights.TryAdd(key, mine) : _flights.TryUpdate(key, mine, current);
            if (!registered)
                continue; // lost a race with another reader: look again
            _ = FlyAsync(mine, key, load);
            return await mine.Result.Task.WaitAsync(cancellationToken);
        }
    }

    private async Task FlyAsync(Flight flight, string? key, Func<Task<CachedJson?>> load)
    {
        try
        {
            flight.Result.TrySetResult(await load());
        }
        catch (Exception ex)
        {
            flight.Result.TrySetException(ex); // the store failed: every joined reader sees its exception
        }
        finally
        {
            if (key is not null)
                _flights.TryRemove(KeyValuePair.Create(key, flight));
        }
    }

    private sealed class Flight(long version)
    {
        public long Version { get; } = version;
        public TaskCompletionSource<CachedJson?> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
