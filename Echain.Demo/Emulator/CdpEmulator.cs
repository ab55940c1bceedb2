using Echain.Demo.Chain;

namespace Echain.Demo.Emulator;

/// <summary>
/// Does locally what CDP webhook subscriptions do: follows the node's blocks, decodes each log of a
/// subscribed contract, and delivers it to the webhook once per matching subscription as
/// <c>onchain.activity.detected</c>, signed with that subscription's secret; at least once, retried
/// with backoff, in no promised order, with optional drops, duplicates and shuffling.
/// </summary>
public sealed class CdpEmulator : IAsyncDisposable
{
    // One eth_getLogs spans at most this many blocks, so a far-behind start reads in bounded steps.
    private const long MaxBlocksPerRead = 1000;

    private readonly EmulatorOptions _options;
    private readonly Action<string> _log;
    private readonly EmulatorCounters _counters = new();
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly BlockFollower _follower;
    private readonly DeliverySender _sender;
    private readonly DeliveryChaos _chaos;
    private readonly EmulatorCheckpoint? _checkpoint;
    private readonly OpenDeliveries _open = new();
    private long _checkpointWritten = -1;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _stopLock = new();
    private Task? _following;
    private Task? _stopping;
    private long _nextBlock = -1;

    /// <param name="http">Used for deliveries; its own timeout should not be below the policy's request timeout.</param>
    /// <param name="log">Receives each log line, already prefixed with <c>[cdp]</c>; secrets are never in one.</param>
    public CdpEmulator(EmulatorOptions options, HttpClient? http = null, Action<string>? log = null, TimeProvider? clock = null)
    {
        if (options.Problems() is { Count: > 0 } problems)
            throw new ArgumentException("Invalid emulator options: " + string.Join("; ", problems), nameof(options));
        _options = options;
        _log = log is null ? _ => { } : line => log("[cdp] " + line);
        _ownsHttp = http is null;
        // The policy's request timeout bounds each attempt; the client's own must not cut it shorter.
        _http = http ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        _follower = new BlockFollower(ChainClients.Reader(options.RpcUrl), options.Network,
            options.Subscriptions.Select(s => s.ContractAddress), _counters, _log);
        _sender = new DeliverySender(_http, options.WebhookUrl, options.Retry, options.MaxConcurrentDeliveries,
            _counters, _log, clock ?? TimeProvider.System, _open.Finished);
        _chaos = new DeliveryChaos(options, _counters, _sender.Enqueue, _open.Finished);
        _checkpoint = options.CheckpointFile is { } file ? new EmulatorCheckpoint(file) : null;
    }

    public EmulatorCounts Counts => _counters.Snapshot();

    /// <summary>The next block to read: every block before it has been read and its deliveries handed over. -1 before start.</summary>
    public long NextBlock => Interlocked.Read(ref _nextBlock);

    /// <summary>Deliveries not yet finished (held for shuffling, in flight, or waiting for a retry).</summary>
    public int Pending => _chaos.Held + _sender.Pending;

    /// <summary>
    /// Settles where to start (<see cref="EmulatorOptions.FromBlock"/>, else the checkpoint, else the head + 1,
    /// like a subscription created now), then follows the chain in the background until stopped.
    /// </summary>
    public async Task StartAsync(CancellationToken ct = default)
    {
        if (_following is not null) throw new InvalidOperationException("The emulator is already running.");
        using var starting = CancellationTokenSource.CreateLinkedTokenSource(ct, _stop.Token);
        var (next, source) = _options.FromBlock is { } from ? (from, "the first block asked for")
            : _checkpoint?.Read() is { } saved ? (saved, $"the checkpoint {_checkpoint.Path}")
            : (await _follower.HeadAsync(starting.Token) + 1, "the head + 1");
        Interlocked.Exchange(ref _nextBlock, next);
        // Keys hide in URLs (a function key in the webhook's query, a provider key in the RPC path): neither is printed.
        var rpc = _options.RpcUrl;
        var webhook = _options.WebhookUrl;
        _log($"following {rpc.Scheme}://{rpc.Authority} from block {next} ({source}) for {_options.Subscriptions.Count} " +
             $"subscription(s) on {_options.Network}: {string.Join("; ", _options.Subscriptions)}; " +
             $"delivering to {webhook.Scheme}://{webhook.Authority}{webhook.AbsolutePath}");
        _following = Task.Run(() => FollowAsync(_stop.Token));
    }

    /// <summary>Starts and follows until <paramref name="ct"/> is cancelled; a failure of the loop itself is thrown at once.</summary>
    public async Task RunAsync(CancellationToken ct)
    {
        await StartAsync(ct);
        var cancelled = new TaskCompletionSource();
        await using (ct.Register(() => cancelled.TrySetResult()))
            await Task.WhenAny(_following!, cancelled.Task);
        await StopAsync(); // awaits the loop, so its failure is thrown here
    }

    /// <summary>
    /// Returns once every block through <paramref name="block"/> has been read and each of its deliveries
    /// has been answered 2xx, dropped or given up.
    /// </summary>
    public async Task CaughtUpAsync(long block, CancellationToken ct = default)
    {
        while (NextBlock <= block || Pending > 0)
        {
            if (_following is { IsCompleted: true } following) await following; // a failed loop throws here
            await Task.Delay(20, ct);
        }
    }

    /// <summary>
    /// Stops following and sending; deliveries still pending are abandoned here, but the checkpoint stays
    /// at their block, so a restarted emulator delivers them again. Any number of calls share one stop.
    /// </summary>
    public Task StopAsync()
    {
        lock (_stopLock) return _stopping ??= StopOnceAsync();
    }

    private async Task StopOnceAsync()
    {
        await _stop.CancelAsync();
        try
        {
            if (_following is not null) await _following;
        }
        finally
        {
            await _sender.DisposeAsync();
            WriteCheckpoint();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
        if (_ownsHttp) _http.Dispose();
    }

    private async Task FollowAsync(CancellationToken ct)
    {
        var behind = false;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var next = NextBlock;
                var head = await _follower.HeadAsync(ct);
                if (head < next)
                {
                    // Nothing new: the chain is idle, so what the shuffle holds goes out now.
                    _chaos.Flush();
                    if (head < next - 1 && !behind)
                        _log($"the node's head {head} is behind block {next - 1}, already read: waiting " +
                             "(a node restarted without its state starts its chain over)");
                    behind = head < next - 1;
                    WriteCheckpoint(); // deliveries finish while the chain is idle
                    await Task.Delay(_options.PollInterval, ct);
                    continue;
                }
                behind = false;
                var range = await _follower.ReadAsync(next, Math.Min(head, next + MaxBlocksPerRead - 1), ct);
                HandOver(range);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped.
        }
    }

    private void HandOver(BlockRange range)
    {
        _counters.LogsSeen(range.LogsSeen);
        foreach (var activity in range.Activities)
            foreach (var subscription in _options.Subscriptions.Where(s => s.Matches(activity)))
            {
                var delivery = CdpDelivery.For(subscription, activity);
                _open.Opened(delivery);
                _chaos.Accept(delivery);
            }
        Interlocked.Exchange(ref _nextBlock, range.To + 1);
        WriteCheckpoint();
    }

    /// <summary>Saves where a restart must begin: the next block, or the lowest block with a delivery still open.</summary>
    private void WriteCheckpoint()
    {
        if (_checkpoint is null || NextBlock < 0) return;
        var restart = _open.SafeRestartBlock(NextBlock);
        if (Interlocked.Exchange(ref _checkpointWritten, restart) != restart)
            _checkpoint.Write(restart);
    }
}
