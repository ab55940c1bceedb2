using System.Numerics;
using Echain.Core.Chain;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Echain.Core.Projection;

/// <summary>
/// Applies one contract log to PostgreSQL: idempotent (applied_logs), atomic (one transaction) and
/// order-independent (every overwrite is guarded by the writer's (block, log) version; counts are
/// derived; balances are sums). Returns what to invalidate and what to emit, and keeps the messages
/// in applied_logs as an outbox until <see cref="MarkDeliveredAsync"/>.
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

    public async Task<ProjectionOutcome> ApplyAsync(ChainEvent e, CancellationToken ct)
    {
        // Decode before touching the database: a malformed log is poison and must not open a transaction.
        var (contract, log, reason) = _decoder.Decode(e);
        if (log is null)
        {
            _logger.LogDebug("Ignored {Event} from {Contract} ({Key}): {Reason}", e.EventName, contract, e.Key, reason);
            return new ProjectionOutcome(e.Key, ProjectionStatus.Ignored, [], [], reason);
        }

        await using var connection = await _dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        if (!await AppliedLogOutbox.ClaimAsync(connection, e, contract, ct))
        {
            var stored = await AppliedLogOutbox.ReadStoredAsync(connection, e.Key, ct);
            await transaction.CommitAsync(ct);
            return stored;
        }

        var context = new ProjectionContext(connection, e, contract, new ProjectionEffects(), ct);
        await (log switch
        {
            EventCreatedLog created => EventProjection.ApplyAsync(context, created),
            EventUpdatedLog updated => EventProjection.ApplyAsync(context, updated),
            TicketPurchasedLog purchased => TicketProjection.ApplyAsync(context, purchased),
            TicketTransferLog transfer => TicketProjection.ApplyAsync(context, transfer),
            TicketUsedLog used => TicketProjection.ApplyAsync(context, used),
            TokenTransferLog transfer => BalanceProjection.ApplyAsync(context, transfer),
            _ => throw new InvalidOperationException($"No projection applies {log.GetType().Name}."),
        });

        var outcome = await AppliedLogOutbox.StoreAsync(context);
        await transaction.CommitAsync(ct);
        return outcome;
    }

    /// <summary>The log's messages were emitted: a later redelivery must not emit them again.</summary>
    public Task MarkDeliveredAsync(LogKey key, CancellationToken ct) => AppliedLogOutbox.MarkDeliveredAsync(_dataSource, key, ct);

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
}
