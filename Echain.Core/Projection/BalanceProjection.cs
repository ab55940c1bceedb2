using System.Numerics;
using Echain.Core.Chain;
using Echain.Core.Realtime;
using Npgsql;

namespace Echain.Core.Projection;

/// <summary>
/// The balances aggregate: an ERC-20 Transfer is a delta on each side, on top of the chain's own balanceOf at
/// a final block once the reconciler observed it (chain_balance at chain_block). A delta counts only when the
/// transfer is newer than the observation, which already contains every older one; sums commute, so
/// transfers and observations applied in any order end at the same balance.
/// </summary>
/// <remarks>
/// Lock order: a transfer and an observation both lock the balances rows of one token in ordinal holder order
/// and wait on no other lock the other holds, so they cannot deadlock. A batch of several logs locks all its transfers'
/// rows together, in the same order, after its other logs and before its stream locks (<see cref="LockRowsAsync"/>). The observation sums the later
/// transfers while holding the row lock. A transfer that wrote its delta into the row before that lock has
/// committed by then (the lock waited for it): it is in the sum, and the row's balance is overwritten. Any
/// other transfer has not committed (the projector writes the transfer row and its delta in one
/// transaction), so it is not in the sum, and once it gets the lock it finds chain_block and adds its delta
/// only if it is newer.
/// </remarks>
internal static class BalanceProjection
{
    /// <summary>
    /// A batch's ERC-20 transfers (one or more, in their order) in four statements whatever their number: their balances rows locked
    /// (<see cref="LockRowsAsync"/>, which also reads them), their transfers rows inserted, the deltas summed here in the logs' order,
    /// and the new balances written. Each log's messages carry the balance after it, as applying them one by one would.
    /// </summary>
    public static async Task ApplyAllAsync(NpgsqlConnection connection, IReadOnlyList<(ProjectionContext Context, TokenTransferLog Log)> transfers,
        CancellationToken ct)
    {
        if (transfers.Count == 0) return;
        var rows = await LockRowsAsync(connection, transfers.SelectMany(t => new[] { (t.Context.Contract, t.Log.From), (t.Context.Contract, t.Log.To) }), ct);
        await Sql.BatchAsync(connection, ct,
            [TransferLog.Insert(transfers.Select(t => (t.Context, Kind(t.Log), t.Log.From, t.Log.To, (BigInteger?)null, (BigInteger?)t.Log.Value)).ToArray())]);

        var changed = new SortedSet<(string Token, string Holder)>();
        foreach (var (c, t) in transfers)
        {
            var deltas = new SortedDictionary<string, BigInteger>(StringComparer.Ordinal);
            if (!EthAddress.IsZero(t.From)) deltas[t.From] = -t.Value;
            if (!EthAddress.IsZero(t.To)) deltas[t.To] = deltas.GetValueOrDefault(t.To) + t.Value;
            foreach (var (holder, delta) in deltas)
            {
                c.Effects.UserTransactionsChanged(holder);
                var row = rows[(c.Contract, holder)];
                // An observation at or after this block holds the delta already.
                if (row.ChainBlock is { } observedAt && observedAt >= c.Event.BlockNumber) continue;
                rows[(c.Contract, holder)] = row with { Balance = row.Balance + delta };
                changed.Add((c.Contract, holder));
                c.Effects.UserBalancesChanged(holder);
                c.Effects.Emit(Updated(c.Contract, holder, row.Balance + delta));
            }
        }
        if (changed.Count == 0) return;
        await Sql.ExecuteAsync(connection,
            """
            UPDATE balances b SET balance = u.balance
            FROM unnest($1::text[], $2::text[], $3::numeric[]) AS u(token, holder, balance)
            WHERE b.token = u.token AND b.holder = u.holder
            """, ct, changed.Select(r => r.Token).ToArray(), changed.Select(r => r.Holder).ToArray(),
            changed.Select(r => rows[r].Balance).ToArray());
    }

    private static string Kind(TokenTransferLog t) => EthAddress.IsZero(t.From) ? "token-mint" : EthAddress.IsZero(t.To) ? "token-burn" : "token-transfer";

    /// <summary>
    /// Records the chain's balances at <paramref name="block"/> (final) for the holders, in ordinal order, in the
    /// caller's transaction. An observation only replaces an older one (or none).
    /// </summary>
    public static async Task<ProjectionChanges> ObserveAsync(NpgsqlConnection connection, string token, long block,
        SortedDictionary<string, BigInteger> observed, CancellationToken ct)
    {
        var effects = new ProjectionEffects();
        foreach (var (holder, chainBalance) in observed)
        {
            // One row at a time, in the holders' ordinal order: the lock order every transfer and batch uses too.
            var (before, observedAt) = (await LockRowsAsync(connection, [(token, holder)], ct))[(token, holder)];

            if (observedAt >= block) continue; // a newer (or the same) observation already holds this one

            var balance = chainBalance + await DeltasAfterAsync(connection, token, holder, block, ct);
            await Sql.ExecuteAsync(connection,
                "UPDATE balances SET chain_balance = $3, chain_block = $4, balance = $5 WHERE token = $1 AND holder = $2",
                ct, token, holder, chainBalance, block, balance);

            // The final flag can flip even when the number does not: the read is stale either way.
            effects.UserBalancesChanged(holder);
            if (Shown(balance) != Shown(before)) effects.Emit(Updated(token, holder, balance));
        }
        await effects.SequenceAsync(connection, ct);
        return new ProjectionChanges(effects.Resources.ToArray(), effects.Messages.ToArray());
    }

    /// <summary>
    /// The rows of a batch's transfers, created when missing and locked in ordinal (token, holder) order, as an observation locks its
    /// holders: a batch takes its balance locks in the one order every transfer and observation uses. Two statements for all of them;
    /// a new row is locked by its insert, an existing one by the SELECT … FOR UPDATE after it, which misses a row a concurrent rollback
    /// (<see cref="RevertAsync"/>) deleted in between: then that row is created again. Returns each row as it is now.
    /// </summary>
    public static async Task<Dictionary<(string Token, string Holder), BalanceRow>> LockRowsAsync(NpgsqlConnection connection,
        IEnumerable<(string Token, string Holder)> rows, CancellationToken ct)
    {
        var wanted = rows.Where(r => !EthAddress.IsZero(r.Holder)).Distinct()
            .OrderBy(r => r.Token, StringComparer.Ordinal).ThenBy(r => r.Holder, StringComparer.Ordinal).ToArray();
        var locked = new Dictionary<(string Token, string Holder), BalanceRow>(wanted.Length);
        if (wanted.Length == 0) return locked;
        var (tokens, holders) = (wanted.Select(r => r.Token).ToArray(), wanted.Select(r => r.Holder).ToArray());
        for (var attempt = 1; ; attempt++)
        {
            await Sql.ExecuteAsync(connection,
                """
                INSERT INTO balances (token, holder, balance)
                SELECT token, holder, 0 FROM unnest($1::text[], $2::text[]) AS r(token, holder) ON CONFLICT DO NOTHING
                """, ct, tokens, holders);
            // Locked as the rows come out of the sort, so in the order given ("C": byte order, the ordinal order above).
            await using (var command = Sql.Command(connection,
                """
                SELECT b.token, b.holder, b.balance, b.chain_block
                FROM balances b JOIN unnest($1::text[], $2::text[]) AS r(token, holder) ON b.token = r.token AND b.holder = r.holder
                ORDER BY b.token COLLATE "C", b.holder COLLATE "C" FOR UPDATE OF b
                """, tokens, holders))
            await using (var reader = await command.ExecuteReaderAsync(ct))
                while (await reader.ReadAsync(ct))
                    locked[(reader.GetString(0), reader.GetString(1))] =
                        new BalanceRow(reader.GetFieldValue<BigInteger>(2), reader.IsDBNull(3) ? null : reader.GetInt64(3));
            if (locked.Count == wanted.Length) return locked;
            if (attempt == 3)
                throw new InvalidOperationException($"{wanted.Length - locked.Count} balances rows vanished three times while being locked.");
        }
    }

    /// <summary>The sum of the deltas of the applied transfers of token to and from holder after block.</summary>
    private static async Task<BigInteger> DeltasAfterAsync(NpgsqlConnection connection, string token, string holder, long block, CancellationToken ct)
    {
        // One index range per side (transfers_from_idx, transfers_to_idx); a self-transfer cancels out as it does in ApplyAllAsync.
        await using var command = Sql.Command(connection,
            """
            SELECT coalesce(sum(d), 0) FROM (
                SELECT -value AS d FROM transfers WHERE from_address = $2 AND block_number > $3 AND contract = $1 AND value IS NOT NULL
                UNION ALL
                SELECT value FROM transfers WHERE to_address = $2 AND block_number > $3 AND contract = $1 AND value IS NOT NULL
            ) s
            """, token, holder, block);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return reader.GetFieldValue<BigInteger>(0);
    }

    /// <summary>A negative sum only means a transfer into the holder is still unseen: nobody is shown less than nothing.</summary>
    private static BigInteger Shown(BigInteger balance) => BigInteger.Max(balance, BigInteger.Zero);

    private static RealtimeMessage Updated(string token, string holder, BigInteger balance) =>
        RealtimeMessage.ToUser(RealtimeTargets.BalanceUpdated, new BalanceUpdatedPayload(holder, Shown(balance).ToDecimal(), token), holder);

    /// <summary>
    /// Undoes a transfer the chain dropped: its transfers row goes, and each side gets its delta back. A holder
    /// left at zero with no other transfer of the token disappears, as if the transfer had never been seen.
    /// </summary>
    public static async Task RevertAsync(ProjectionContext c, TokenTransferLog t)
    {
        await TransferLog.DeleteAsync(c);

        var deltas = new SortedDictionary<string, BigInteger>(StringComparer.Ordinal);
        if (!EthAddress.IsZero(t.From)) deltas[t.From] = t.Value;
        if (!EthAddress.IsZero(t.To)) deltas[t.To] = deltas.GetValueOrDefault(t.To) - t.Value;

        // Sorted holders, as in ApplyAsync: the same lock order.
        foreach (var (holder, delta) in deltas)
        {
            BigInteger balance;
            // The delta comes back only if it was added: ApplyAsync skips a transfer an observation already covers.
            await using (var command = Sql.Command(c.Connection,
                """
                UPDATE balances SET balance = balance + $3
                WHERE token = $1 AND holder = $2 AND (chain_block IS NULL OR chain_block < $4) RETURNING balance
                """, c.Contract, holder, delta, c.Event.BlockNumber))
            {
                await using var reader = await command.ExecuteReaderAsync(c.Ct);
                if (!await reader.ReadAsync(c.Ct)) continue; // never applied to this holder: nothing to give back
                balance = reader.GetFieldValue<BigInteger>(0);
            }

            await Sql.ExecuteAsync(c.Connection,
                """
                DELETE FROM balances b WHERE b.token = $1 AND b.holder = $2 AND b.balance = 0 AND b.chain_block IS NULL
                  AND NOT EXISTS (SELECT 1 FROM transfers x WHERE x.contract = $1 AND x.token_id IS NULL
                                  AND (x.from_address = $2 OR x.to_address = $2))
                """, c.Ct, c.Contract, holder);

            c.Effects.UserBalancesChanged(holder);
            c.Effects.UserTransactionsChanged(holder);
            c.Effects.Emit(Updated(c.Contract, holder, balance));
        }
    }
}

/// <summary>A balances row as locked: the running balance, and the block of the chain's observation it builds on (none yet: null).</summary>
internal sealed record BalanceRow(BigInteger Balance, long? ChainBlock);
