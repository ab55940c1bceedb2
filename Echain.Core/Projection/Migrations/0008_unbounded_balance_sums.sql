-- Balances are sums of deltas, and a sum of uint256 values is no uint256: a holder whose incoming transfers were
-- all seen but some outgoing ones not (transfers from before the subscription, a missed delivery the reconciler has
-- not healed yet) can pass 2^256, and numeric(78,0) ends at 10^78 - 1 (about 2^259.1). Past that PostgreSQL
-- refused the update (22003 numeric_value_out_of_range), a deterministic error: the transfer was dead-lettered and
-- the balance stayed wrong. Unconstrained numeric holds 131072 digits before the point, exact: no sum of transfers
-- reaches it. chain_balance stays numeric(78,0): it is one balanceOf, a uint256.
-- No other numeric(78,0) column holds a sum: ids, prices, values and max_tickets are single uint256 values, and the
-- reads' totals (tickets sold) are counts (bigint).
ALTER TABLE balances ALTER COLUMN balance TYPE numeric;
