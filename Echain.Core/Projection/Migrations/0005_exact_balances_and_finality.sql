-- Exact balances and finality in the reads.
--
-- A balance is the chain's balanceOf at a final block (chain_balance at chain_block) plus the deltas of
-- the applied transfers after that block; the projector adds a delta only when the row has no
-- observation or the transfer is newer than it. Both stay null until the reconciler observes the holder,
-- and the balance is then the plain sum of the deltas seen, as before.
ALTER TABLE balances
    ADD COLUMN chain_balance numeric(78,0),
    ADD COLUMN chain_block   bigint;

-- The version of the check-in (TicketUsed) that set is_used, the newest one seen: a ticket is final only
-- when every log it shows (purchase, owner, check-in) is in a reconciled block.
ALTER TABLE tickets
    ADD COLUMN used_block bigint,
    ADD COLUMN used_log   integer;

-- Check-ins applied before this migration: their activity rows carry the log. Check-ins from before
-- migration 2 recorded none and stay null.
UPDATE tickets t SET used_block = c.block_number, used_log = c.log_index
FROM (SELECT DISTINCT ON (contract, token_id) contract, token_id, block_number, log_index
      FROM event_activity WHERE kind = 'check-in'
      ORDER BY contract, token_id, block_number DESC, log_index DESC) c
WHERE t.contract = c.contract AND t.token_id = c.token_id AND t.is_used;

-- The logs of a block range when the reconciler moves reconciled_block forward: which cached reads became final.
CREATE INDEX transfers_block_idx ON transfers (block_number);
CREATE INDEX event_activity_block_idx ON event_activity (block_number);
