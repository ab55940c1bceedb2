-- What the reconciler and GET /api/chain look up on every pass or call, each a few rows among millions: without
-- these, every pass would read every applied log below the checkpoint, and every /api/chain every applied log.

-- Copies never compared with the chain (webhook copies have no block hash until the reconciler records it):
-- the late copies below the checkpoint (AppliedLogLedger.LateBlocksAsync).
CREATE INDEX applied_logs_unverified_idx ON applied_logs (network, block_number) WHERE block_hash IS NULL;

-- The reconciler's own copies, counted as healed and imported (AppliedLogLedger.CountsAsync).
CREATE INDEX applied_logs_reconciler_origin_idx ON applied_logs (network, origin) WHERE origin <> 'webhook';

-- Balances written from deltas alone, observed a few hundred per pass (AppliedLogLedger.UnobservedHoldersAsync).
CREATE INDEX balances_unobserved_idx ON balances (token, holder) WHERE chain_block IS NULL;
