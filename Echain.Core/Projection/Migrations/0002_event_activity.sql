-- An event's activity history: one row per applied TicketPurchased, ticket (ERC-721) Transfer and
-- TicketUsed log, for the event page's feed (newest first, keyset on (block_number, log_index, tx_hash)).
-- event_id is null while the token's TicketPurchased has not been seen; the purchase fills it in for
-- every row of its (contract, token_id). Rows are written under the ticket's row lock, so a transfer
-- and the purchase that links it cannot interleave.

CREATE TABLE event_activity (
    network       text          NOT NULL,
    tx_hash       text          NOT NULL,
    log_index     integer       NOT NULL,
    event_id      numeric(78,0),
    contract      text          NOT NULL,
    token_id      numeric(78,0) NOT NULL,
    kind          text          NOT NULL CHECK (kind IN ('purchase', 'mint', 'transfer', 'burn', 'check-in')),
    -- mint / transfer / burn
    from_address  text,
    to_address    text,
    -- purchase
    buyer         text,
    price         numeric(78,0),
    block_number  bigint        NOT NULL,
    block_time    timestamptz,
    PRIMARY KEY (network, tx_hash, log_index)
);
-- The feed: an event's activity, newest first.
CREATE INDEX event_activity_event_idx ON event_activity (event_id, block_number DESC, log_index DESC, tx_hash DESC)
    WHERE event_id IS NOT NULL;
-- Linking a token's earlier rows when its purchase arrives.
CREATE INDEX event_activity_token_idx ON event_activity (contract, token_id);

-- Best-effort history for a database that already holds logs: ticket transfers come from `transfers`,
-- purchases from `applied_logs` joined to the ticket they wrote (their block time from a transfer of
-- the same transaction, when one is known). Check-ins applied before this migration recorded no token
-- id and cannot be recovered.
INSERT INTO event_activity (network, tx_hash, log_index, event_id, contract, token_id, kind, from_address, to_address,
                            block_number, block_time)
SELECT x.network, x.tx_hash, x.log_index, t.event_id, x.contract, x.token_id,
       CASE x.kind WHEN 'ticket-mint' THEN 'mint' WHEN 'ticket-burn' THEN 'burn' ELSE 'transfer' END,
       x.from_address, x.to_address, x.block_number, x.block_time
FROM transfers x
LEFT JOIN tickets t ON t.contract = x.contract AND t.token_id = x.token_id
WHERE x.token_id IS NOT NULL
ON CONFLICT DO NOTHING;

INSERT INTO event_activity (network, tx_hash, log_index, event_id, contract, token_id, kind, buyer, price,
                            block_number, block_time)
SELECT a.network, a.tx_hash, a.log_index, t.event_id, t.contract, t.token_id, 'purchase', t.buyer, t.price,
       a.block_number,
       (SELECT x.block_time FROM transfers x WHERE x.network = a.network AND x.tx_hash = a.tx_hash LIMIT 1)
FROM applied_logs a
JOIN tickets t ON t.contract = a.contract AND t.purchase_block = a.block_number AND t.purchase_log = a.log_index
WHERE a.event_name = 'TicketPurchased'
ON CONFLICT DO NOTHING;
