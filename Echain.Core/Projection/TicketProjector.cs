using System.Numerics;
using Echain.Core.Chain;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Echain.Core.Projection;

/// <summary>
/// Applies one contract log to PostgreSQL: idempotent (applied_logs), atomic (one transaction) and
/// order-independent (every overwrite is guarded by the writer's (block, log) version; counts are
/// derived; balances are sums). Returns what to invalidate and what to emit, and keeps the messages
/// in applied_logs as an outbox until <see cref="MarkDeliveredAsync(ChainEvent, CancellationToken)"/>.
/// A reorg undoes an applied copy (a removal, or a node's copy from another block or fork replacing it)
/// by recomputing from the rows that remain, so removals and replacements commute with everything else too.
/// </summary>
public sealed class TicketProjector
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly ContractLogDecoder _decoder;
    private readonly ILogger<TicketProjector> _logger;

    public TicketProjector(NpgsqlDataSource dataSource, ContractLogDecoder decoder, ILogger<TicketProjector> logger)
    {
        _dataSource = dataSource;
        _decoder = decoder;
        _logger = logger;
    }

    /// <summary>One log; a removal undoes the copy it names.</summary>
    public async Task<ProjectionOutcome> ApplyAsync(ChainEvent e, CancellationToken ct) =>
        e.Removed ? await RemoveAsync(e, ct) : (await ApplyBatchAsync([e], ct))[0];

    /// <summary>
    /// Several logs (no removal, no key twice) in one transaction and in their order: the claims in one statement, each log's
    /// projection, then all their messages sequenced and stored in one statement each, and one commit. A run of ticket logs reads
    /// its tickets as the logs before left them (<see cref="TicketRows"/>) and sends its writes in one round trip. Atomic for readers
    /// per log because the batch is: all of it commits or none. Throws as a single log would; then nothing of the batch is applied.
    /// </summary>
    public async Task<ProjectionOutcome[]> ApplyBatchAsync(IReadOnlyList<ChainEvent> logs, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(logs);
        if (logs.Any(l => l.Removed) || logs.Select(l => l.Key).Distinct().Count() != logs.Count)
            throw new ArgumentException("A batch holds no removal and no key twice.", nameof(logs));
        var outcomes = new ProjectionOutcome[logs.Count];
        // Decode before touching the database: a malformed log is poison and must not open a transaction.
        var decoded = new List<(int Index, ChainEvent Event, string Contract, ContractLog Log)>(logs.Count);
        for (var i = 0; i < logs.Count; i++)
        {
            var (contract, log, reason) = _decoder.Decode(logs[i]);
            if (log is null) outcomes[i] = Ignored(logs[i], contract, reason);
            else decoded.Add((i, logs[i], contract, log));
        }
        if (decoded.Count == 0) return outcomes;

        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var claimed = await AppliedLogOutbox.ClaimAllAsync(connection, decoded.Select(d => (d.Event, d.Contract)).ToArray(), ct);
        var contexts = new ProjectionContext?[decoded.Count];
        var tickets = new TicketRows();
        // Two passes: every log but the ERC-20 transfers, then those, together. A balance row can be hot (an organizer's, which every
        // sale of its events credits) and stays locked until the commit: taken last and written in a few statements for the whole
        // batch, it is held for the batch's last statements only. No log touches both kinds of row; the messages keep the batch's order.
        foreach (var balancesPass in new[] { false, true })
        {
            var pass = Enumerable.Range(0, decoded.Count).Where(j => (decoded[j].Log is TokenTransferLog) == balancesPass).ToArray();
            if (pass.Length == 0) continue;
            await LockInOrderAsync(connection, pass.Select(j => decoded[j]).ToArray(), claimed, tickets, ct);
            var transfers = new List<(ProjectionContext, TokenTransferLog)>();
            foreach (var j in pass)
            {
                var (index, e, contract, log) = decoded[j];
                var effects = new ProjectionEffects();
                if (!claimed.Contains(e.Key))
                {
                    // A redelivery may undo a dead fork's copy, which rewrites its ticket directly.
                    await tickets.SendAndForgetAsync(connection, ct);
                    if (await ClaimTakenAsync(connection, e, contract, effects, ct) is { } earlier)
                    {
                        outcomes[index] = earlier;
                        continue;
                    }
                }
                var context = contexts[j] = new ProjectionContext(connection, e, contract, effects, ct, tickets);
                if (log is TokenTransferLog transfer) transfers.Add((context, transfer));
                else
                {
                    // An event's log reads what the ticket logs before it wrote (its sold count).
                    if (log is not (TicketPurchasedLog or TicketTransferLog or TicketUsedLog)) await tickets.SendAsync(connection, ct);
                    await ApplyLogAsync(context, log);
                }
            }
            await tickets.SendAsync(connection, ct);
            await BalanceProjection.ApplyAllAsync(connection, transfers, ct);
        }
        // In the batch's order: a holder's balance messages and its ticket notifications are sequenced as the logs came.
        var applied = Enumerable.Range(0, decoded.Count).Where(j => contexts[j] is not null).Select(j => (decoded[j].Index, Context: contexts[j]!)).ToArray();
        if (applied.Length > 0)
        {
            var stored = await AppliedLogOutbox.StoreAllAsync(connection, applied.Select(a => a.Context).ToArray(), ct);
            for (var i = 0; i < applied.Length; i++) outcomes[applied[i].Index] = stored[i];
        }
        await transaction.CommitAsync(ct);
        return outcomes;
    }

    /// <summary>
    /// One log locks its rows in an order that avoids deadlocks; several would take theirs in the batch's order. So each pass locks its
    /// rows first, in one order: the tickets pass its tickets, the balances pass its balances (no single log takes both). Every
    /// transaction that takes both kinds takes tickets before balances, and stream locks last. A pass of transfers that were all
    /// claimed needs no early lock: <see cref="BalanceProjection.ApplyAllAsync"/> locks their rows in order before writing any; an
    /// earlier copy to undo (a replacement) would write balances first.
    /// </summary>
    private static async Task LockInOrderAsync(NpgsqlConnection connection, IReadOnlyList<(int Index, ChainEvent Event, string Contract, ContractLog Log)> logs,
        HashSet<LogKey> claimed, TicketRows rows, CancellationToken ct)
    {
        if (logs.Any(l => l.Log is TokenTransferLog && !claimed.Contains(l.Event.Key)))
            await BalanceProjection.LockRowsAsync(connection, logs.Where(l => l.Log is TokenTransferLog)
                .SelectMany(l => new[] { (l.Contract, ((TokenTransferLog)l.Log).From), (l.Contract, ((TokenTransferLog)l.Log).To) }), ct);
        if (logs.Count < 2) return; // one ticket log locks its one row itself
        var tickets = logs.Where(l => claimed.Contains(l.Event.Key)).Select(l => l.Log switch
            {
                TicketPurchasedLog p => ((string, BigInteger)?)(l.Contract, p.TokenId),
                TicketTransferLog t => (l.Contract, t.TokenId),
                TicketUsedLog u => (l.Contract, u.TokenId),
                _ => null,
            })
            .OfType<(string, BigInteger)>().Distinct().ToArray();
        await TicketProjection.LockRowsAsync(connection, rows, tickets, ct);
    }

    /// <summary>
    /// The log's key was taken when its batch claimed it. Returns what the applied copy stored (a redelivery), or null once the log
    /// is claimed after all: a removal that committed since freed the key, or the applied copy was from a dead fork and is undone
    /// here (its corrections join <paramref name="effects"/>, to travel with the new copy).
    /// </summary>
    private async Task<ProjectionOutcome?> ClaimTakenAsync(NpgsqlConnection connection, ChainEvent e, string contract, ProjectionEffects effects,
        CancellationToken ct)
    {
        do
        {
            if (await AppliedLogOutbox.LockAsync(connection, e.Key, ct) is not { } stored) continue; // freed: claim again
            if (!IsFromDeadFork(stored.Event, e, contract))
            {
                if (e.BlockHash is not null && stored.Event.BlockHash is null)
                    await AppliedLogOutbox.RecordBlockHashAsync(connection, e, ct);
                return await AppliedLogOutbox.ReadStoredAsync(connection, e.Key, ct);
            }

            _logger.LogInformation("Replacing {Key} at block {Old} with the copy at block {New}", e.Key, stored.Event.BlockNumber, e.BlockNumber);
            await UndoAsync(connection, stored, replaced: true, effects, ct);
        } while (!await AppliedLogOutbox.ClaimAsync(connection, e, contract, ct));
        return null;
    }

    /// <summary>The logs' messages were emitted: a later redelivery must not emit them again.</summary>
    public Task MarkDeliveredAsync(IReadOnlyList<LogKey> keys, CancellationToken ct) => AppliedLogOutbox.MarkDeliveredAsync(_dataSource, keys, ct);

    /// <inheritdoc cref="MarkDeliveredAsync(IReadOnlyList{LogKey}, CancellationToken)"/>
    public Task MarkDeliveredAsync(LogKey key, CancellationToken ct) => MarkDeliveredAsync([key], ct);

    /// <summary>
    /// The chain's balanceOf for these holders of token at block (a final block). Per holder, sorted, under the
    /// row lock: when the row has no observation or an older one, chain_balance/chain_block become the observation
    /// and balance = observation + the deltas of applied transfers after block. Emits balance-updated (and the
    /// user-balances cache resource) for holders whose shown balance changed; the resource also whenever the
    /// observation moved, since the balance's final flag may flip with the same number. One transaction;
    /// <see cref="BalanceProjection"/> explains the lock order that keeps concurrent transfers exact.
    /// </summary>
    public async Task<ProjectionChanges> ObserveBalancesAsync(string token, long block, IReadOnlyList<KeyValuePair<string, BigInteger>> balances, CancellationToken ct)
    {
        if (!EthAddress.TryNormalize(token, out var contract))
            throw new ArgumentException($"'{token}' is not a 20-byte hex address.", nameof(token));
        ArgumentOutOfRangeException.ThrowIfNegative(block);
        var observed = new SortedDictionary<string, BigInteger>(StringComparer.Ordinal);
        foreach (var (address, balance) in balances)
        {
            if (!EthAddress.TryNormalize(address, out var holder))
                throw new ArgumentException($"'{address}' is not a 20-byte hex address.", nameof(balances));
            if (balance.Sign < 0 || !observed.TryAdd(holder, balance) && observed[holder] != balance)
                throw new ArgumentException($"Holder {holder} has a negative or a second, different balance.", nameof(balances));
        }
        observed.Remove(EthAddress.Zero); // never a holder: transfers from and to it are mints and burns

        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var changes = await BalanceProjection.ObserveAsync(connection, contract, block, observed, ct);
        await transaction.CommitAsync(ct);
        return changes;
    }

    /// <summary>Cache resources whose reads change when blocks (afterBlock, throughBlock] become final: the events whose
    /// tickets or activity have logs there, the users with transfers there (tickets, transactions, balances).</summary>
    public async Task<IReadOnlyList<string>> BecameFinalAsync(long afterBlock, long throughBlock, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(throughBlock, afterBlock);
        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        return await FinalityChanges.BecameFinalAsync(connection, afterBlock, throughBlock, ct);
    }

    /// <summary>
    /// As <see cref="MarkDeliveredAsync(LogKey, CancellationToken)"/> for the outcome of <paramref name="e"/>: a removal's
    /// corrections live in rolled_back_logs (its applied row is gone), every other log's messages in applied_logs.
    /// </summary>
    public Task MarkDeliveredAsync(ChainEvent e, CancellationToken ct) =>
        e.Removed ? RolledBackLogs.MarkDeliveredAsync(_dataSource, e, ct) : MarkDeliveredAsync(e.Key, ct);

    private async Task<ProjectionOutcome> RemoveAsync(ChainEvent removal, CancellationToken ct)
    {
        // A removal carries no parameters: only its contract and event name say whether it is ours.
        if (_decoder.IgnoreReason(removal) is { } reason) return Ignored(removal, removal.Contract, reason);

        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var stored = await AppliedLogOutbox.LockAsync(connection, removal.Key, ct);
        if (stored is null || !IsNamedBy(removal, stored.Event))
        {
            // Nothing (or another copy) is applied: a stale removal, or a redelivery of one that undid its copy already.
            var earlier = await RolledBackLogs.ReadStoredAsync(connection, removal, ct);
            await transaction.CommitAsync(ct);
            return earlier;
        }

        var effects = new ProjectionEffects();
        await UndoAsync(connection, stored, replaced: false, effects, ct);
        await transaction.CommitAsync(ct);
        return new ProjectionOutcome(removal.Key, ProjectionStatus.RolledBack, effects.Resources.ToArray(), effects.Messages.ToArray());
    }

    /// <summary>
    /// Only a copy read from a node (with its block hash) can tell that the applied one is from a dead fork:
    /// another block, another hash, or — the applied hash unknown — other contents.
    /// </summary>
    private static bool IsFromDeadFork(ChainEvent applied, ChainEvent incoming, string contract) =>
        incoming.BlockHash is not null
        && (applied.BlockNumber != incoming.BlockNumber
            || (applied.BlockHash is not null
                ? applied.BlockHash != incoming.BlockHash
                : applied.EventName != incoming.EventName || applied.Contract != contract || !SameParameters(applied, incoming)));

    /// <summary>A removal names one copy: its block, and its hash when both sides know one.</summary>
    private static bool IsNamedBy(ChainEvent removal, ChainEvent applied) =>
        applied.BlockNumber == removal.BlockNumber
        && (removal.BlockHash is null || applied.BlockHash is null || applied.BlockHash == removal.BlockHash);

    private static bool SameParameters(ChainEvent a, ChainEvent b) =>
        a.Parameters.Count == b.Parameters.Count
        && a.Parameters.All(p => b.Parameters.TryGetValue(p.Key, out var value) && value == p.Value);

    /// <summary>
    /// Deletes the applied row first, so every recompute sees only the logs that remain; then undoes the log
    /// and records what was undone, in the caller's transaction.
    /// </summary>
    private async Task UndoAsync(NpgsqlConnection connection, StoredLog stored, bool replaced, ProjectionEffects effects, CancellationToken ct)
    {
        ContractLog? log;
        string contract;
        try
        {
            (contract, log, _) = _decoder.Decode(stored.Event);
        }
        catch (InvalidChainEventException e)
        {
            throw new InvalidChainEventException(
                $"{stored.Event.Key} was applied without the parameters an undo needs (before migration 0004): {e.Message}");
        }

        if (log is null)
            throw new InvalidChainEventException($"{stored.Event.Key}: {stored.Event.Contract} is no longer configured; its log cannot be undone.");

        await AppliedLogOutbox.DeleteAsync(connection, stored.Event.Key, ct);
        var c = new ProjectionContext(connection, stored.Event, contract, effects, ct);
        await (log switch
        {
            EventCreatedLog created => EventProjection.RevertAsync(c, created),
            EventUpdatedLog updated => EventProjection.RevertAsync(c, updated),
            TicketPurchasedLog purchased => TicketProjection.RevertAsync(c, purchased),
            TicketTransferLog transfer => TicketProjection.RevertAsync(c, transfer),
            TicketUsedLog used => TicketProjection.RevertAsync(c, used),
            TokenTransferLog transfer => BalanceProjection.RevertAsync(c, transfer),
            _ => throw new InvalidOperationException($"No projection undoes {log.GetType().Name}."),
        });
        // A removal's corrections are owed from rolled_back_logs: sequenced now. A replacement's travel with the new copy.
        if (!replaced) await effects.SequenceAsync(connection, ct);
        await RolledBackLogs.RecordAsync(connection, stored, replaced, effects, ct);
    }

    private static Task ApplyLogAsync(ProjectionContext c, ContractLog log) => log switch
    {
        EventCreatedLog created => EventProjection.ApplyAsync(c, created),
        EventUpdatedLog updated => EventProjection.ApplyAsync(c, updated),
        TicketPurchasedLog purchased => TicketProjection.ApplyAsync(c, purchased),
        TicketTransferLog transfer => TicketProjection.ApplyAsync(c, transfer),
        TicketUsedLog used => TicketProjection.ApplyAsync(c, used),
        _ => throw new InvalidOperationException($"No projection applies {log.GetType().Name}."),
    };

    private ProjectionOutcome Ignored(ChainEvent e, string contract, string? reason)
    {
        _logger.LogDebug("Ignored {Event} from {Contract} ({Key}): {Reason}", e.EventName, contract, e.Key, reason);
        return new ProjectionOutcome(e.Key, ProjectionStatus.Ignored, [], [], reason);
    }
}
