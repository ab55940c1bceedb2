using Echain.Tests.Infrastructure;
using System.Text.Json;
using Echain.Core.Chain;
using Echain.Core.Projection;
using Echain.Core.Reads;
using Npgsql;
using static Echain.Tests.Infrastructure.TestChain;

namespace Echain.Tests.Projection;

/// <summary>
/// Everything a reader or an operator can see of the projection: every read of the repository and every
/// projection table (not the bookkeeping of applied_logs / rolled_back_logs beyond which copy is applied).
/// </summary>
internal static class ProjectionState
{
    private static readonly string[] Addresses = [Creator, Alice, Bob, Carol];

    private static readonly string[] Tables =
    [
        "SELECT * FROM events ORDER BY event_id",
        "SELECT * FROM tickets ORDER BY contract, token_id",
        "SELECT * FROM transfers ORDER BY network, tx_hash, log_index",
        "SELECT * FROM event_activity ORDER BY network, tx_hash, log_index",
        "SELECT * FROM balances ORDER BY token, holder",
        "SELECT network, tx_hash, log_index, event_name, contract, block_number, parameters FROM applied_logs ORDER BY network, tx_hash, log_index",
    ];

    public static async Task<string> SnapshotAsync(NpgsqlDataSource dataSource)
    {
        var tables = new List<string>();
        foreach (var query in Tables)
        {
            await using var command = dataSource.CreateCommand($"SELECT coalesce(json_agg(t), '[]')::text FROM ({query}) t");
            tables.Add((string)(await command.ExecuteScalarAsync())!);
        }

        var reads = TestChain.Reads(dataSource);
        var events = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var id in new[] { "1", "2" })
        {
            events[id] = new
            {
                view = await reads.GetEventAsync(id),
                tickets = await AllPagesAsync(cursor => reads.GetEventTicketsAsync(id, cursor, 2)),
                activity = await AllPagesAsync(cursor => reads.GetEventActivityAsync(id, cursor, 2)),
            };
        }

        var users = new SortedDictionary<string, object>(StringComparer.Ordinal);
        foreach (var address in Addresses)
            users[address] = new
            {
                tickets = (await reads.GetUserTicketsAsync(address)).Items,
                balances = (await reads.GetUserBalancesAsync(address)).Items,
                transactions = await AllPagesAsync(cursor => reads.GetUserTransactionsAsync(address, cursor, 2)),
            };

        return JsonSerializer.Serialize(new { tables, events, list = await AllPagesAsync(c => reads.ListEventsAsync(c, 2)), users },
            new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true });
    }

    /// <summary>A fresh database with exactly these logs applied, in order.</summary>
    public static async Task<string> OfAsync(IEnumerable<ChainEvent> logs)
    {
        await using var database = await (await Infrastructure.PostgresServer.GetAsync()).CreateDatabaseAsync();
        var projector = Projector(database.DataSource);
        foreach (var log in logs)
            Assert.Equal(ProjectionStatus.Applied, (await projector.ApplyAsync(log, default)).Status);
        return await SnapshotAsync(database.DataSource);
    }

    /// <summary>Every item of a keyset-paginated read, following the cursors to the end.</summary>
    public static async Task<List<T>> AllPagesAsync<T>(Func<string?, Task<Page<T>>> read)
    {
        var items = new List<T>();
        string? cursor = null;
        do
        {
            var page = await read(cursor);
            items.AddRange(page.Items);
            cursor = page.NextCursor;
        } while (cursor is not null);
        return items;
    }
}
