namespace Echain.Functions.Standalone.Queue;

/// <summary>What a batch's lanes (running in parallel) made of their deliveries, for the backoff.</summary>
internal sealed class BatchTally
{
    private int _succeeded;
    private int _uncounted;
    private Exception? _firstUncounted;

    public int Succeeded => Volatile.Read(ref _succeeded);
    public int Uncounted => Volatile.Read(ref _uncounted);
    public Exception? FirstUncounted => Volatile.Read(ref _firstUncounted);

    public void AddSuccess() => Interlocked.Increment(ref _succeeded);

    public void AddUncounted(Exception ex)
    {
        Interlocked.Increment(ref _uncounted);
        Interlocked.CompareExchange(ref _firstUncounted, ex, null);
    }
}
