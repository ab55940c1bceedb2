-- Echain projection schema. uint256 values are numeric(78,0) (10^78 > 2^256); addresses lowercase text.
-- Every "(x_block, x_log)" pair is the (block_number, log_index) of the log that last wrote those
-- columns: a log only overwrites them when it is newer, so any arrival order gives the same rows.

CREATE TABLE events (
    event_id       numeric(78,0) PRIMARY KEY,
    -- false while only an EventUpdated has been seen: the row exists but the event is not shown.
    created        boolean       NOT NULL DEFAULT false,
    creator        text,
    max_tickets    numeric(78,0),
    created_block  bigint,
    created_log    integer,
    -- EventCreated and EventUpdated both carry all five detail fields at once, so one version
    -- covers them (a per-field version would always hold the same value for each of the five).
    title          text,
    description    text,
    start_time     timestamptz,
    end_time       timestamptz,
    ticket_price   numeric(78,0),
    details_block  bigint,
    details_log    integer
);
-- The event list page: created events, newest (highest id) first.
CREATE INDEX events_list_idx ON events (event_id DESC) WHERE created;

CREATE TABLE tickets (
    contract        text          NOT NULL,
    token_id        numeric(78,0) NOT NULL,
    -- null until the TicketPurchased that maps the token to its event arrives.
    event_id        numeric(78,0),
    buyer           text,
    price           numeric(78,0),
    ticket_type     text,
    purchase_block  bigint,
    purchase_log    integer,
    -- `to` of the newest Transfer seen for the token.
    owner           text,
    owner_block     bigint,
    owner_log       integer,
    -- Who holds the ticket now: the newest transfer's `to`, or the buyer while no transfer is known.
    holder          text GENERATED ALWAYS AS (coalesce(owner, buyer)) STORED,
    is_used         boolean       NOT NULL DEFAULT false,
    minted          boolean       NOT NULL DEFAULT false,
    PRIMARY KEY (contract, token_id)
);
-- Event tickets page (keyset on token id) and the sold count.
CREATE INDEX tickets_event_idx ON tickets (event_id, token_id, contract) WHERE event_id IS NOT NULL;
-- A user's tickets.
CREATE INDEX tickets_holder_idx ON tickets (holder, token_id, contract);

-- Every Transfer log, ticket (ERC-721) and payment token (ERC-20): the original design's Transaction entity.
CREATE TABLE transfers (
    network       text          NOT NULL,
    tx_hash       text          NOT NULL,
    log_index     integer       NOT NULL,
    block_number  bigint        NOT NULL,
    block_time    timestamptz,
    contract      text          NOT NULL,
    -- ticket-mint, ticket-transfer, ticket-burn, token-mint, token-transfer, token-burn
    kind          text          NOT NULL,
    from_address  text          NOT NULL,
    to_address    text          NOT NULL,
    token_id      numeric(78,0),
    value         numeric(78,0),
    PRIMARY KEY (network, tx_hash, log_index)
);
-- A user's transactions, newest first (keyset), one index per side of the transfer.
CREATE INDEX transfers_from_idx ON transfers (from_address, block_number DESC, log_index DESC, tx_hash DESC);
CREATE INDEX transfers_to_idx ON transfers (to_address, block_number DESC, log_index DESC, tx_hash DESC);
-- Who ever held a ticket (cache invalidation when the ticket gets linked to its event).
CREATE INDEX transfers_token_idx ON transfers (contract, token_id) WHERE token_id IS NOT NULL;

-- ERC-20 balances as the sum of the deltas seen. Sums commute, so arrival order does not matter;
-- a holder can be negative when transfers from before the subscription were never seen.
CREATE TABLE balances (
    token    text          NOT NULL,
    holder   text          NOT NULL,
    balance  numeric(78,0) NOT NULL,
    PRIMARY KEY (token, holder)
);
CREATE INDEX balances_holder_idx ON balances (holder, token);

-- One row per applied log: the idempotency record and the outbox of its realtime messages.
CREATE TABLE applied_logs (
    network          text        NOT NULL,
    tx_hash          text        NOT NULL,
    log_index        integer     NOT NULL,
    event_name       text        NOT NULL,
    contract         text        NOT NULL,
    block_number     bigint      NOT NULL,
    applied_at       timestamptz NOT NULL DEFAULT now(),
    cache_resources  text[]      NOT NULL DEFAULT '{}',
    messages         jsonb       NOT NULL DEFAULT '[]',
    -- null until the messages were emitted; a redelivery before that re-emits them.
    delivered_at     timestamptz,
    PRIMARY KEY (network, tx_hash, log_index)
);
-- For a sweeper that re-emits messages whose delivery was interrupted.
CREATE INDEX applied_logs_undelivered_idx ON applied_logs (applied_at) WHERE delivered_at IS NULL;
