-- Reorg rollback: an applied log can be undone when the chain drops it, and replaced when a reorg moves it.
-- Undoing recomputes from what remains, so applied_logs keeps what each log said and where it was.

ALTER TABLE applied_logs
    -- The block's hash when the log was read from a node (the reconciler); webhooks carry none.
    ADD COLUMN block_hash  text,
    ADD COLUMN block_time  timestamptz,
    -- The ChainEvent's parameters: a removal carries none, so the undo decodes these.
    ADD COLUMN parameters  jsonb NOT NULL DEFAULT '{}',
    -- webhook, import, heal or reorg (ChainEventOrigin lowercased).
    ADD COLUMN origin      text  NOT NULL DEFAULT 'webhook';
-- The reconciler compares a block range of the projection with the chain.
CREATE INDEX applied_logs_block_idx ON applied_logs (network, block_number);
-- Undoing an EventCreated/EventUpdated recomputes the event from the remaining logs of its id.
CREATE INDEX applied_logs_event_idx ON applied_logs ((parameters->>'eventId'))
    WHERE event_name IN ('EventCreated', 'EventUpdated');

-- A purchase row keeps the ticket type, so undoing a newer purchase can restore the older one.
ALTER TABLE event_activity ADD COLUMN ticket_type text;
UPDATE event_activity a SET ticket_type = t.ticket_type
FROM tickets t
WHERE a.kind = 'purchase' AND t.contract = a.contract AND t.token_id = a.token_id
  AND t.purchase_block = a.block_number AND t.purchase_log = a.log_index;

-- Best-effort parameters for logs applied before this migration, from the rows they wrote. A log whose
-- parameters stay '{}' (an event log superseded before now, a check-in from before 0002) cannot be undone.
UPDATE applied_logs a
SET parameters = CASE WHEN x.token_id IS NOT NULL
        THEN jsonb_build_object('from', x.from_address, 'to', x.to_address, 'tokenId', x.token_id::text)
        ELSE jsonb_build_object('from', x.from_address, 'to', x.to_address, 'value', x.value::text) END,
    block_time = x.block_time
FROM transfers x
WHERE a.event_name = 'Transfer' AND x.network = a.network AND x.tx_hash = a.tx_hash AND x.log_index = a.log_index
  AND (x.token_id IS NOT NULL OR x.value IS NOT NULL);

UPDATE applied_logs a
SET parameters = jsonb_build_object('eventId', v.event_id::text, 'tokenId', v.token_id::text, 'buyer', v.buyer,
                                    'price', v.price::text, 'ticketType', v.ticket_type),
    block_time = v.block_time
FROM event_activity v
WHERE a.event_name = 'TicketPurchased' AND v.kind = 'purchase'
  AND v.network = a.network AND v.tx_hash = a.tx_hash AND v.log_index = a.log_index
  AND v.event_id IS NOT NULL AND v.buyer IS NOT NULL AND v.price IS NOT NULL AND v.ticket_type IS NOT NULL;

UPDATE applied_logs a
SET parameters = jsonb_build_object('tokenId', v.token_id::text), block_time = v.block_time
FROM event_activity v
WHERE a.event_name = 'TicketUsed' AND v.kind = 'check-in'
  AND v.network = a.network AND v.tx_hash = a.tx_hash AND v.log_index = a.log_index;

-- Event logs: only the ones that wrote a stored version are known. An EventCreated whose details were
-- superseded gets its creation fields only: enough to recompute the event, not to undo that log itself.
UPDATE applied_logs a
SET parameters = jsonb_build_object('eventId', e.event_id::text, 'creator', e.creator, 'maxTickets', e.max_tickets::text)
FROM events e
WHERE a.event_name = 'EventCreated' AND e.created_block = a.block_number AND e.created_log = a.log_index
  AND e.creator IS NOT NULL AND e.max_tickets IS NOT NULL;

UPDATE applied_logs a
SET parameters = a.parameters || jsonb_build_object('eventId', e.event_id::text, 'title', e.title, 'description', e.description,
        'startTime', extract(epoch FROM e.start_time)::bigint::text, 'endTime', extract(epoch FROM e.end_time)::bigint::text,
        'ticketPrice', e.ticket_price::text)
FROM events e
WHERE a.event_name IN ('EventCreated', 'EventUpdated') AND e.details_block = a.block_number AND e.details_log = a.log_index
  AND e.title IS NOT NULL AND e.description IS NOT NULL AND e.start_time IS NOT NULL AND e.end_time IS NOT NULL
  AND e.ticket_price IS NOT NULL;

-- What a reorg undid, and when: the audit trail, and the outbox of a removal's corrections (a removal leaves
-- no applied_logs row to keep them in). A log moved by a reorg can be undone more than once, so no natural key.
CREATE TABLE rolled_back_logs (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    network          text        NOT NULL,
    tx_hash          text        NOT NULL,
    log_index        integer     NOT NULL,
    -- The copy that was undone.
    block_number     bigint      NOT NULL,
    block_hash       text,
    event_name       text        NOT NULL,
    contract         text        NOT NULL,
    parameters       jsonb       NOT NULL,
    origin           text        NOT NULL,
    applied_at       timestamptz NOT NULL,
    rolled_back_at   timestamptz NOT NULL DEFAULT now(),
    -- removed: the chain no longer has the log; replaced: another copy of it was applied in the same transaction.
    reason           text        NOT NULL CHECK (reason IN ('removed', 'replaced')),
    cache_resources  text[]      NOT NULL DEFAULT '{}',
    messages         jsonb       NOT NULL DEFAULT '[]',
    -- Like applied_logs: null until the messages were emitted. A replacement's corrections travel in the
    -- new applied_logs row's outbox, so its rollback is born delivered.
    delivered_at     timestamptz
);
CREATE INDEX rolled_back_logs_key_idx ON rolled_back_logs (network, tx_hash, log_index, block_number);
CREATE INDEX rolled_back_logs_undelivered_idx ON rolled_back_logs (rolled_back_at) WHERE delivered_at IS NULL;
