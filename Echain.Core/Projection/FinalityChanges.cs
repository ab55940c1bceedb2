using Echain.Core.Chain;
using Echain.Core.Reads;
using Npgsql;

namespace Echain.Core.Projection;

/// <summary>
/// Which cached reads show a <c>final</c> flag that flips when blocks become final: the reads of every log in
/// those blocks (each ticket's entry, tickets and activity per event, and per user: tickets, transactions, balances).
/// </summary>
internal static class FinalityChanges
{
    public static async Task<IReadOnlyList<string>> BecameFinalAsync(NpgsqlConnection connection, long afterBlock, long throughBlock, CancellationToken ct)
    {
        // Rows of every network in the range: another network's rows only cost an invalidation nobody needed.
        // The activity holds every ticket log (purchase, transfer, check-in); a ticket shows on its holder's list.
        await using var command = Sql.Command(connection,
            """
            SELECT 'event', a.event_id::text FROM event_activity a
            WHERE a.block_number > $1 AND a.block_number <= $2 AND a.event_id IS NOT NULL
            UNION
            SELECT 'entry', a.token_id::text FROM event_activity a WHERE a.block_number > $1 AND a.block_number <= $2
            UNION
            SELECT 'holder', t.holder FROM event_activity a JOIN tickets t ON t.contract = a.contract AND t.token_id = a.token_id
            WHERE a.block_number > $1 AND a.block_number <= $2 AND t.holder IS NOT NULL
            UNION
            SELECT split_part(x.kind, '-', 1), x.from_address FROM transfers x WHERE x.block_number > $1 AND x.block_number <= $2
            UNION
            SELECT split_part(x.kind, '-', 1), x.to_address FROM transfers x WHERE x.block_number > $1 AND x.block_number <= $2
            """, afterBlock, throughBlock);
        var resources = new SortedSet<string>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var key = reader.GetString(1);
            switch (reader.GetString(0))
            {
                case "event":
                    resources.Add(CacheResources.EventTickets(key));
                    resources.Add(CacheResources.EventActivity(key));
                    break;
                case "entry": // one ticket's own entry shows whether it is final
                    resources.Add(CacheResources.Ticket(key));
                    break;
                case var _ when EthAddress.IsZero(key):
                    break; // the zero address has no reads
                case "holder":
                    resources.Add(CacheResources.UserTickets(key));
                    break;
                case "ticket": // ticket-mint, ticket-transfer, ticket-burn
                    resources.Add(CacheResources.UserTickets(key));
                    resources.Add(CacheResources.UserTransactions(key));
                    break;
                default: // token-*: the transactions, and the balance the transfer moved
                    resources.Add(CacheResources.UserTransactions(key));
                    resources.Add(CacheResources.UserBalances(key));
                    break;
            }
        }
        return resources.ToArray();
    }
}
