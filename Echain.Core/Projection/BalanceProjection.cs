using System.Numerics;
using Echain.Core.Chain;
using Echain.Core.Realtime;

namespace Echain.Core.Projection;

/// <summary>
/// The balances aggregate: an ERC-20 Transfer is a delta on each side. Balances are sums, so transfers
/// applied in any order end at the same balance.
/// </summary>
internal static class BalanceProjection
{
    public static async Task ApplyAsync(ProjectionContext c, TokenTransferLog t)
    {
        var kind = EthAddress.IsZero(t.From) ? "token-mint" : EthAddress.IsZero(t.To) ? "token-burn" : "token-transfer";
        await TransferLog.InsertAsync(c, kind, t.From, t.To, null, t.Value);

        var deltas = new SortedDictionary<string, BigInteger>(StringComparer.Ordinal);
        if (!EthAddress.IsZero(t.From)) deltas[t.From] = -t.Value;
        if (!EthAddress.IsZero(t.To)) deltas[t.To] = deltas.GetValueOrDefault(t.To) + t.Value;

        // Sorted holders: two opposite transfers applied concurrently lock rows in the same order.
        foreach (var (holder, delta) in deltas)
        {
            BigInteger balance;
            await using (var command = Sql.Command(c.Connection,
                """
                INSERT INTO balances (token, holder, balance) VALUES ($1, $2, $3)
                ON CONFLICT (token, holder) DO UPDATE SET balance = balances.balance + EXCLUDED.balance
                RETURNING balance
                """, c.Contract, holder, delta))
            {
                await using var reader = await command.ExecuteReaderAsync(c.Ct);
                await reader.ReadAsync(c.Ct);
                balance = reader.GetFieldValue<BigInteger>(0);
            }

            c.Effects.UserBalancesChanged(holder);
            c.Effects.UserTransactionsChanged(holder);
            c.Effects.Emit(RealtimeMessage.ToUser(RealtimeTargets.BalanceUpdated,
                new BalanceUpdatedPayload(holder, balance.ToDecimal(), c.Contract), holder));
        }
    }

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
            // The one statement that gives the delta back (a balance observed on the chain would guard it by block).
            await using (var command = Sql.Command(c.Connection,
                "UPDATE balances SET balance = balance + $3 WHERE token = $1 AND holder = $2 RETURNING balance",
                c.Contract, holder, delta))
            {
                await using var reader = await command.ExecuteReaderAsync(c.Ct);
                if (!await reader.ReadAsync(c.Ct)) continue; // never applied to this holder: nothing to give back
                balance = reader.GetFieldValue<BigInteger>(0);
            }

            await Sql.ExecuteAsync(c.Connection,
                """
                DELETE FROM balances b WHERE b.token = $1 AND b.holder = $2 AND b.balance = 0
                  AND NOT EXISTS (SELECT 1 FROM transfers x WHERE x.contract = $1 AND x.token_id IS NULL
                                  AND (x.from_address = $2 OR x.to_address = $2))
                """, c.Ct, c.Contract, holder);

            c.Effects.UserBalancesChanged(holder);
            c.Effects.UserTransactionsChanged(holder);
            c.Effects.Emit(RealtimeMessage.ToUser(RealtimeTargets.BalanceUpdated,
                new BalanceUpdatedPayload(holder, balance.ToDecimal(), c.Contract), holder));
        }
    }
}
