using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Echain.Core.Reconciliation;

/// <summary>
/// One reconciler per network across every instance: a PostgreSQL session advisory lock, held on its own connection
/// for the length of a pass. A process that dies loses its connection and with it the lock, so there is no expiry to
/// tune and no lease to steal.
/// </summary>
public sealed class ReconcilerLease(NpgsqlDataSource dataSource)
{
    /// <summary>The held lease (dispose to release), or null when another instance is reconciling the network.</summary>
    public async Task<IAsyncDisposable?> TryAcquireAsync(string network, CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = LockKey(network) });
            if (await command.ExecuteScalarAsync(ct) is true) return new Held(connection, LockKey(network));
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    /// <summary>Stable per network, and distinct from the migrator's lock.</summary>
    internal static long LockKey(string network) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("echain-reconciler:" + network)), 0);

    private sealed class Held(NpgsqlConnection connection, long key) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection);
                command.Parameters.Add(new NpgsqlParameter { Value = key });
                await command.ExecuteScalarAsync();
            }
            catch (NpgsqlException) when (connection.FullState.HasFlag(System.Data.ConnectionState.Broken) || connection.State == System.Data.ConnectionState.Closed)
            {
                // The session ended (the server restarted, or an operator terminated it): its lock ended with it.
            }
            finally
            {
                // Should the unlock fail, the pool resets the session (DISCARD ALL) before reuse, which releases the lock.
                await connection.DisposeAsync();
            }
        }
    }
}
