using Echain.Core.Chain.Rpc;
using Echain.Core.Queue;
using Echain.Core.Reads;
using Echain.Core.Reconciliation;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Echain.Core.Subgraph;

/// <inheritdoc cref="ISubgraphReads"/>
public sealed class SubgraphReads(
    NpgsqlDataSource dataSource, IReadCache cache, ChainCheckpointStore checkpoints, IDeadLetterQueue deadLetters,
    IOptions<ChainOptions> chain) : ISubgraphReads
{
    private readonly string _network = chain.Value.Network;
    // Seams: the collections and lookups below are what the store and cache part fills in.
    internal IReadCache Cache { get; } = cache;

    public Task<IReadOnlyList<SubgraphEvent>> EventsAsync(SubgraphCollection query, CancellationToken ct) =>
        throw new NotImplementedException();

    public Task<IReadOnlyList<SubgraphTicket>> TicketsAsync(SubgraphCollection query, CancellationToken ct) =>
        throw new NotImplementedException();

    public Task<IReadOnlyList<SubgraphTransaction>> TransactionsAsync(SubgraphCollection query, CancellationToken ct) =>
        throw new NotImplementedException();

    public Task<IReadOnlyDictionary<string, SubgraphEvent>> EventsByIdAsync(IReadOnlyCollection<string> ids, CancellationToken ct) =>
        throw new NotImplementedException();

    public Task<IReadOnlyDictionary<string, SubgraphTicket>> TicketsByIdAsync(IReadOnlyCollection<string> ids, CancellationToken ct) =>
        throw new NotImplementedException();

    public Task<IReadOnlyDictionary<string, SubgraphTransaction>> TransactionsByIdAsync(IReadOnlyCollection<string> ids, CancellationToken ct) =>
        throw new NotImplementedException();

    public Task<IReadOnlyDictionary<string, IReadOnlyList<SubgraphTicket>>> TicketsOfEventsAsync(
        IReadOnlyCollection<string> eventIds, SubgraphCollection query, CancellationToken ct) =>
        throw new NotImplementedException();

    public async Task<SubgraphMeta> MetaAsync(CancellationToken ct)
    {
        // The newest applied log's block (its hash and time when known), one index probe on (network, block_number).
        long? newest = null;
        string? hash = null;
        DateTimeOffset? time = null;
        await using (var command = dataSource.CreateCommand(
                         "SELECT block_number, block_hash, block_time FROM applied_logs WHERE network = $1 ORDER BY block_number DESC LIMIT 1"))
        {
            command.Parameters.Add(new NpgsqlParameter { Value = _network });
            await using var reader = await command.ExecuteReaderAsync(ct);
            if (await reader.ReadAsync(ct))
            {
                newest = reader.GetInt64(0);
                hash = reader.IsDBNull(1) ? null : reader.GetString(1);
                time = reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2);
            }
        }

        var reconciled = (await checkpoints.GetAsync(_network, ct))?.ReconciledBlock;
        var block = reconciled > (newest ?? long.MinValue)
            ? new SubgraphBlock(reconciled.Value, null, null)
            : new SubgraphBlock(Math.Max(newest ?? 0, 0), hash, time?.ToUnixTimeSeconds());
        var errors = (await deadLetters.ListAsync(1, ct)).Count > 0;
        return new SubgraphMeta(block, $"echain/{_network}", errors);
    }
}
