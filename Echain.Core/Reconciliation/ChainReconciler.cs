using System.Diagnostics;
using Echain.Core.Chain;
using Echain.Core.Chain.Rpc;
using Echain.Core.Processing;
using Echain.Core.Projection;
using Echain.Core.Queue;
using Echain.Core.Reads;
using Echain.Core.Realtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Echain.Core.Reconciliation;

/// <summary>What one pass saw and did; null from <see cref="ChainReconciler.RunPassAsync"/> when another instance holds the lease.</summary>
/// <param name="ImportPercent">Share of the history import done after the pass (100 once done).</param>
public sealed record ReconcilePass(
    long Head, long Finalized, long ReconciledBefore, long Reconciled, int Imported, int Healed, int Replaced, int Removed,
    int BalancesObserved, double ImportPercent, TimeSpan Duration)
{
    /// <summary>Blocks behind the head: the confirmations plus whatever is not reconciled yet.</summary>
    public long Lag => Head - Reconciled;

    /// <summary>Final blocks remain to be compared (the pass stopped at its budget or waits for queued logs).</summary>
    public bool Behind => Reconciled < Finalized;
}

/// <summary>A pass's result as the hosts see it: the pass, or why there was none (lease-held, rpc-unavailable, error).</summary>
public sealed record ReconcileOutcome(ReconcilePass? Pass, string Outcome);

/// <summary>
/// The chain is the truth. A pass compares the projection with the canonical chain and sends the differences
/// through the same queue and projector as the webhooks: missing final logs (history or a missed delivery), copies
/// from a fork (replaced), copies no longer on the chain (removed). Final blocks are checked once and then never
/// again: the checkpoint moves past a range only when all its logs are applied as the chain has them. Unfinal
/// blocks are checked on every pass, for reorgs. Payment-token balances are read from the chain at the final block.
/// </summary>
public sealed class ChainReconciler(
    IChainRpc rpc,
    LogRangeReader logs,
    ChainLogDecoder decoder,
    ContractLogDecoder projected,
    ChainCheckpointStore checkpoints,
    ReconcilerLease lease,
    AppliedLogLedger ledger,
    RecentlyQueued recentlyQueued,
    BalanceObserver balances,
    TicketProjector projector,
    IReadCache cache,
    IOptions<ChainOptions> chainOptions,
    IOptions<EchainOptions> contracts,
    TimeProvider time,
    ILogger<ChainReconciler> log)
{
    /// <summary>At most this many logs queued per pass: a long import goes in steps, each one checkpointed.</summary>
    public const int MaxQueuedPerPass = 5_000;

    /// <summary>Blocks of late webhook copies compared per pass (normally none or a few).</summary>
    public const int LateBlocksPerPass = 50;

    private readonly ChainOptions _chain = chainOptions.Value;
    private readonly string[] _addresses =
        [.. contracts.Value.TicketContractAddresses().Concat(contracts.Value.PaymentTokenAddresses()).Distinct()];
    private readonly HashSet<string> _paymentTokens =
        contracts.Value.PaymentTokenAddresses().ToHashSet(StringComparer.Ordinal);
    private long _lastProgressLog;

    /// <summary>
    /// One pass as both hosts run it: a node outage or a store outage is logged and counted, never thrown (the next
    /// pass, an interval later, starts again from the checkpoint). Only cancellation propagates.
    /// </summary>
    public async Task<ReconcileOutcome> TryRunPassAsync(IChainEventQueue queue, IRealtimePublisher publisher, CancellationToken ct)
    {
        try
        {
            var pass = await RunPassAsync(queue, publisher, ct);
            if (pass is null) ReconcilerMetrics.Failed("lease-held");
            return new ReconcileOutcome(pass, pass is null ? "lease-held" : "ok");
        }
        catch (ChainRpcUnavailableException e)
        {
            // The node client logged each node's failure; this says what it means for the projection.
            log.LogWarning("Reconciling {Network} paused: {Reason}. Webhooks still apply; the next pass resumes from the checkpoint",
                _chain.Network, e.Message);
            ReconcilerMetrics.Failed("rpc-unavailable");
            return new ReconcileOutcome(null, "rpc-unavailable");
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // A store outage heals by itself; anything else (a log the ABI cannot decode, a bug) needs someone, and
            // still must not stop the loop: the checkpoint holds, nothing is skipped.
            var kind = FailurePolicy.Classify(e);
            log.Log(kind is FailureKind.Transient or FailureKind.Conflict ? LogLevel.Warning : LogLevel.Error, e,
                "Reconciling {Network} failed ({Kind}); the next pass resumes from the checkpoint", _chain.Network, FailurePolicy.Tag(kind));
            ReconcilerMetrics.Failed("error");
            return new ReconcileOutcome(null, "error");
        }
    }

    /// <summary>One pass; null when another instance holds the lease. Throws when a node or a store fails.</summary>
    public async Task<ReconcilePass?> RunPassAsync(IChainEventQueue queue, IRealtimePublisher publisher, CancellationToken ct)
    {
        var network = _chain.Network;
        await using var held = await lease.TryAcquireAsync(network, ct);
        if (held is null) return null;

        var started = time.GetTimestamp();
        var head = (await rpc.HeadAsync(ct)).Value;
        var finalized = head - _chain.EffectiveConfirmations;
        var checkpoint = await checkpoints.GetOrCreateAsync(network, _chain.StartBlock, finalized, ct);
        var before = checkpoint.ReconciledBlock;
        var work = new PassWork(rpc, ledger, recentlyQueued, log, queue, network, checkpoint.ImportTarget);

        // Final blocks: compared once, in order; the checkpoint follows as long as nothing was left to queue.
        var blocked = false;
        if (checkpoint.ReconciledBlock < finalized && _addresses.Length > 0)
            await foreach (var chunk in logs.ReadAsync(_addresses, checkpoint.ReconciledBlock + 1, finalized, ct))
            {
                var canonical = Decode(chunk.Logs, network);
                work.CollectHolders(canonical, _paymentTokens);
                var queued = await work.SettleAsync(chunk.FromBlock, chunk.ToBlock, canonical, final: true, ct);
                if (!blocked && queued == 0)
                {
                    var previous = checkpoint.ReconciledBlock;
                    checkpoint = await checkpoints.AdvanceAsync(network, chunk.ToBlock, head, finalized, ct);
                    await cache.InvalidateAsync(await projector.BecameFinalAsync(previous, checkpoint.ReconciledBlock, ct), ct);
                }
                else blocked = true;
                LogProgress(checkpoint, finalized, work);
                if (work.Needed >= MaxQueuedPerPass) break;
            }
        else if (_addresses.Length == 0 && checkpoint.ReconciledBlock < finalized)
            checkpoint = await checkpoints.AdvanceAsync(network, finalized, head, finalized, ct); // nothing to follow

        // Webhook copies that arrived after their block was reconciled: compared block by block, never left unchecked.
        if (_addresses.Length > 0)
            foreach (var block in await ledger.LateBlocksAsync(network, checkpoint.ReconciledBlock, LateBlocksPerPass, ct))
            {
                var canonical = new List<ChainLog>();
                await foreach (var chunk in logs.ReadAsync(_addresses, block, block, ct)) canonical.AddRange(chunk.Logs);
                await work.SettleAsync(block, block, Decode(canonical, network), final: true, ct);
            }

        // Unfinal blocks: only reorgs are looked for here; missing logs are the webhooks' to deliver until final.
        var windowFrom = Math.Max(finalized + 1, _chain.StartBlock);
        if (windowFrom <= head && _addresses.Length > 0)
        {
            var from = windowFrom;
            var window = new List<ChainLog>();
            await foreach (var chunk in logs.ReadAsync(_addresses, from, head, ct)) window.AddRange(chunk.Logs);
            await work.SettleAsync(from, head, Decode(window, network), final: false, ct);
        }

        var observed = finalized >= _chain.StartBlock
            ? await balances.ObserveAsync(work.Holders, finalized, publisher, ct)
            : 0;
        checkpoint = await checkpoints.AdvanceAsync(network, checkpoint.ReconciledBlock, head, finalized, ct);

        var pass = new ReconcilePass(head, finalized, before, checkpoint.ReconciledBlock, work.Imported, work.Healed, work.Replaced,
            work.Removed, observed, checkpoint.ImportPercent, time.GetElapsedTime(started));
        ReconcilerMetrics.Record(pass);
        if (pass.Healed + pass.Replaced + pass.Removed > 0)
            log.LogWarning("Reconciled {Network} to block {Reconciled} (head {Head}): queued {Healed} final logs no webhook delivered; " +
                "reorgs: {Replaced} copies replaced, {Removed} removed", network, pass.Reconciled, head, pass.Healed, pass.Replaced, pass.Removed);
        else
            log.LogDebug("Reconciled {Network} to block {Reconciled} (head {Head}, {Imported} imported) in {Ms:F0} ms",
                network, pass.Reconciled, head, pass.Imported, pass.Duration.TotalMilliseconds);
        return pass;
    }

    private List<ChainEvent> Decode(IEnumerable<ChainLog> chainLogs, string network)
    {
        var events = new List<ChainEvent>();
        foreach (var chainLog in chainLogs)
        {
            if (chainLog.Removed) continue; // a node's view of a reorg in progress; the next read is canonical
            // A log the projector would ignore is never applied and must not hold the checkpoint back.
            if (decoder.Decode(chainLog, network, null, ChainEventOrigin.Heal) is { } e && projected.IgnoreReason(e) is null)
                events.Add(e);
        }
        return events;
    }

    private void LogProgress(ChainCheckpoint checkpoint, long finalized, PassWork work)
    {
        if (!checkpoint.Importing && work.Queued == 0) return;
        var now = time.GetTimestamp();
        if (_lastProgressLog != 0 && Stopwatch.GetElapsedTime(_lastProgressLog, now) < TimeSpan.FromSeconds(5)) return;
        _lastProgressLog = now;
        log.LogInformation("Reconciling {Network}: block {Block} of {Final} final ({Percent:F1} % of the import), {Queued} logs queued this pass",
            checkpoint.Network, checkpoint.ReconciledBlock, finalized, checkpoint.ImportPercent, work.Queued);
    }

    /// <summary>One pass's differences turned into queued events, with the counts and the payment-token holders it met.</summary>
    private sealed class PassWork(
        IChainRpc rpc, AppliedLogLedger ledger, RecentlyQueued recentlyQueued, ILogger log, IChainEventQueue queue, string network, long importTarget)
    {
        public int Imported, Healed, Replaced, Removed;
        public int Queued => Imported + Healed + Replaced + Removed;
        /// <summary>Events the ranges read so far still need, queued now or by an earlier pass and not applied yet.</summary>
        public int Needed;
        public HashSet<(string Token, string Holder)> Holders { get; } = [];

        public void CollectHolders(IEnumerable<ChainEvent> canonical, HashSet<string> tokens)
        {
            foreach (var e in canonical)
                if (e.EventName == "Transfer" && tokens.Contains(e.Contract))
                    foreach (var side in new[] { e.Parameter("from"), e.Parameter("to") })
                        if (!EthAddress.IsZero(side)) Holders.Add((e.Contract, side));
        }

        /// <summary>Compares one range and queues what differs; returns how many events the range still needs.</summary>
        public async Task<int> SettleAsync(long fromBlock, long toBlock, List<ChainEvent> canonical, bool final, CancellationToken ct)
        {
            var applied = await ledger.ReadRangeAsync(network, fromBlock, toBlock, ct);
            var differences = RangeComparison.Compare(canonical, applied);
            if (differences.None) return 0;

            var verified = await ledger.VerifyAsync(network, differences.Unverified, ct);
            var replacements = differences.Moved.Concat(differences.Unverified.Where(e => !verified.Contains(e.Key)))
                .Select(e => e with { Origin = ChainEventOrigin.Reorg }).ToList();
            var removals = await ReorgRemovals.ConfirmAsync(rpc, network, differences.Gone, log, ct);
            var missing = final || replacements.Count + removals.Count > 0
                ? differences.Missing.Select(e => e with
                {
                    Origin = !final ? ChainEventOrigin.Reorg : e.BlockNumber <= importTarget ? ChainEventOrigin.Import : ChainEventOrigin.Heal,
                }).ToList()
                : [];

            List<ChainEvent> needed = [.. missing, .. replacements, .. removals];
            Needed += needed.Count;
            var fresh = needed.Where(e => !recentlyQueued.Contains(e)).ToList();
            if (fresh.Count > 0)
            {
                var timed = await BlockTimes.StampAsync(rpc, fresh, ct);
                await queue.EnqueueAsync(timed, ct);
                recentlyQueued.Add(timed);
                foreach (var e in timed)
                    _ = e switch
                    {
                        { Removed: true } => Removed++,
                        { Origin: ChainEventOrigin.Import } => Imported++,
                        { Origin: ChainEventOrigin.Heal } => Healed++,
                        _ => Replaced++,
                    };
            }
            return needed.Count;
        }
    }
}
