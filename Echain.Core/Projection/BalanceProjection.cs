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
}
