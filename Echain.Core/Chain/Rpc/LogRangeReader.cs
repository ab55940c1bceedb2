using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Echain.Core.Chain.Rpc;

/// <summary>The logs of [<paramref name="FromBlock"/>, <paramref name="ToBlock"/>], as one eth_getLogs answered them.</summary>
public sealed record LogChunk(long FromBlock, long ToBlock, IReadOnlyList<ChainLog> Logs);

/// <summary>
/// Reads a block range's logs in chunks a provider accepts. Providers cap eth_getLogs by blocks or results and each
/// words it differently, so the size is learned: it halves on a refusal, and after <see cref="SuccessesBeforeGrowing"/>
/// full chunks in a row one chunk tries twice the size, which becomes the size when it is accepted. A singleton, so
/// what one read learned saves the next its refusals.
/// </summary>
public sealed class LogRangeReader(IChainRpc rpc, IOptions<ChainOptions> options, ILogger<LogRangeReader> log)
{
    /// <summary>Full-size chunks accepted in a row before a chunk of twice the size is tried.</summary>
    public const int SuccessesBeforeGrowing = 4;

    private readonly object _gate = new();
    private readonly long _maxRange = Math.Max(1, options.Value.MaxLogRange);
    private long _range = Math.Max(1, options.Value.MaxLogRange);
    private int _successesInARow;

    /// <summary>The chunk size that worked last (<see cref="ChainOptions.MaxLogRange"/> until a node refused one).</summary>
    public long CurrentRange
    {
        get { lock (_gate) return _range; }
    }

    /// <summary>
    /// Ascending, contiguous chunks covering [fromBlock, toBlock] exactly; the chunk size starts at the last size that
    /// worked (at most MaxLogRange), halves when a node refuses a range (down to 1 block; a refused single block
    /// rethrows), and doubles back after consecutive successes.
    /// </summary>
    public async IAsyncEnumerable<LogChunk> ReadAsync(IReadOnlyCollection<string> addresses, long fromBlock, long toBlock,
        [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fromBlock);
        ArgumentOutOfRangeException.ThrowIfLessThan(toBlock, fromBlock);
        var from = fromBlock;
        while (from <= toBlock)
        {
            var size = Math.Min(NextSize(), toBlock - from + 1);
            var to = from + size - 1;
            IReadOnlyList<ChainLog> logs;
            try
            {
                logs = (await rpc.GetLogsAsync(addresses, from, to, ct)).Value;
            }
            catch (LogRangeRefusedException) when (size > 1)
            {
                Refused(size);
                continue;
            }
            Accepted(size);
            yield return new LogChunk(from, to, logs);
            from = to + 1;
        }
    }

    private long NextSize()
    {
        lock (_gate)
            return _successesInARow >= SuccessesBeforeGrowing ? Math.Min(_maxRange, _range * 2) : _range;
    }

    private void Accepted(long size)
    {
        lock (_gate)
        {
            if (size > _range)
            {
                _range = size;
                _successesInARow = 0;
                log.LogInformation("eth_getLogs accepts {Blocks} blocks again", size);
            }
            else if (size == _range) _successesInARow++;
            // A shorter chunk (the end of a read) says nothing about the size.
        }
    }

    private void Refused(long size)
    {
        lock (_gate)
        {
            _range = Math.Max(1, size / 2);
            _successesInARow = 0;
        }
        log.LogInformation("A node refused eth_getLogs over {Blocks} blocks; reading {Range} at a time", size, Math.Max(1, size / 2));
    }
}
