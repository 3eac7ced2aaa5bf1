-- What several instances sharing one database must agree on (as SQLite's migration 15).

-- The token that lets someone create the first account from another machine (printed in the
-- log at start-up): one for every instance, kept until the first account exists.
CREATE TABLE setup (
    id    BIGINT PRIMARY KEY CHECK (id = 1),
    token TEXT   NOT NULL
);

-- An uploaded import file, in parts: the check or run may happen on another instance than the
-- upload.
CREATE TABLE import_files (
    import_id BIGINT NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    part      BIGINT NOT NULL,
    data      BYTEA  NOT NULL,
    PRIMARY KEY (import_id, part)
);

-- When the server running an import's check, run or undo last showed it was alive (each batch):
-- an import whose server has gone quiet for minutes is stopped by another instance.
ALTER TABLE imports ADD COLUMN beat_at BIGINT;
