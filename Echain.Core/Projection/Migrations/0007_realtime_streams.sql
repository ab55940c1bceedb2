-- Every realtime message has a position in its stream (event-{id}, user-{address}): the projection transaction
-- that makes a message bumps its stream's row here. The row lock lasts until commit, so positions are handed out in
-- commit order and a rolled-back transaction gives its numbers back: no gaps (RealtimeStreams).
CREATE TABLE realtime_streams (
    stream   text   PRIMARY KEY,
    last_seq bigint NOT NULL
);

-- The messages a client may have missed while it reconnected, kept for a bounded while (Echain:Realtime:HistoryCount
-- and HistoryAge); GET /api/realtime/.../messages?after= reads them in seq order.
CREATE TABLE realtime_messages (
    stream     text        NOT NULL,
    seq        bigint      NOT NULL,
    target     text        NOT NULL,
    payload    jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (stream, seq)
);
