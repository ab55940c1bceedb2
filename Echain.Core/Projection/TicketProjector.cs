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
}
