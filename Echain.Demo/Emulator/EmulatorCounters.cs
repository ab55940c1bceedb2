namespace Echain.Demo.Emulator;

/// <summary>What the emulator did so far. <see cref="Delivered"/> counts 2xx answers, duplicates included.</summary>
public sealed record EmulatorCounts(
    long LogsSeen, long Delivered, long Retries, long Dropped, long Duplicated, long FailedPermanently, long RpcErrors)
{
    public override string ToString() =>
        $"logs seen {LogsSeen}, delivered {Delivered}, retries {Retries}, dropped {Dropped}, " +
        $"duplicated {Duplicated}, failed permanently {FailedPermanently}, rpc errors {RpcErrors}";
}

/// <summary>The counters behind <see cref="EmulatorCounts"/>, updated from the follower and the delivery workers.</summary>
public sealed class EmulatorCounters
{
    private long _logsSeen, _delivered, _retries, _dropped, _duplicated, _failedPermanently, _rpcErrors;

    public void LogsSeen(int count) => Interlocked.Add(ref _logsSeen, count);
    public void Delivered() => Interlocked.Increment(ref _delivered);
    public void Retried() => Interlocked.Increment(ref _retries);
    public void Dropped() => Interlocked.Increment(ref _dropped);
    public void Duplicated() => Interlocked.Increment(ref _duplicated);
    public void FailedPermanently() => Interlocked.Increment(ref _failedPermanently);
    public void RpcError() => Interlocked.Increment(ref _rpcErrors);

    public EmulatorCounts Snapshot() => new(
        Interlocked.Read(ref _logsSeen), Interlocked.Read(ref _delivered), Interlocked.Read(ref _retries),
        Interlocked.Read(ref _dropped), Interlocked.Read(ref _duplicated), Interlocked.Read(ref _failedPermanently),
        Interlocked.Read(ref _rpcErrors));
}
