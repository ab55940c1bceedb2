-- The reconciler's progress per network: how far the projection is known to equal the canonical chain.
CREATE TABLE chain_checkpoints (
    network           text        PRIMARY KEY,
    -- Echain:Chain:StartBlock when the checkpoint was made: where the history import began.
    start_block       bigint      NOT NULL,
    -- The final block when the import began: logs up to it are imported history, later missing ones are heals.
    import_target     bigint      NOT NULL,
    -- Every block up to here was compared with the canonical chain, every log of it is applied, and it is final.
    -- start_block - 1 until the first range is done. Reads call an item final when its blocks are <= this.
    reconciled_block  bigint      NOT NULL,
    -- What the node said at the last pass: its head, and head - Confirmations.
    head_block        bigint,
    finalized_block   bigint,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
