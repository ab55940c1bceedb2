-- The delivery log: every webhook delivery, accepted or rejected, for an operator to search and replay
-- (GET /api/admin/deliveries, POST /api/admin/deliveries/{id}/replay). Written in batches off the request path
-- (DeliveryLogStore), pruned after Echain:Deliveries:RetentionDays. Never a secret: headers by name only.
CREATE TABLE webhook_deliveries (
    id                 bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at        timestamptz NOT NULL,
    status             smallint    NOT NULL,
    outcome            text        NOT NULL,
    reason             text,
    field              text,
    signed_headers     text[]      NOT NULL,
    event_id           text,
    event_type         text,
    -- network/tx/logIndex of each event the delivery produced (empty when it was refused before parsing).
    event_keys         text[]      NOT NULL,
    -- Lowercase 0x hashes from the keys and, for a delivery refused before parsing, read from its body: the search key.
    transaction_hashes text[]      NOT NULL,
    -- The raw bytes as received (not text: a refused body may be invalid UTF-8 or hold U+0000), at most MaxBodyBytes.
    body               bytea       NOT NULL,
    body_bytes         integer     NOT NULL,
    truncated          boolean     NOT NULL,
    -- No foreign key: the delivery replayed may be pruned before its replay.
    replay_of          bigint
);

CREATE INDEX webhook_deliveries_transaction_hashes ON webhook_deliveries USING gin (transaction_hashes);
-- Time filters and the retention delete.
CREATE INDEX webhook_deliveries_received_at ON webhook_deliveries (received_at);
