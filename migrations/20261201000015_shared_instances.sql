-- What several instances sharing one database must agree on.

-- The token that lets someone create the first account from another machine (printed in the
-- log at start-up): one for every instance, kept until the first account exists.
CREATE TABLE setup (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    token TEXT    NOT NULL
) STRICT;

-- An uploaded import file, in parts, when instances share the database (PostgreSQL): the check
-- or run may happen on another instance than the upload. (On SQLite it stays in `imports/`.)
CREATE TABLE import_files (
    import_id INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    part      INTEGER NOT NULL,
    data      BLOB    NOT NULL,
    PRIMARY KEY (import_id, part)
) STRICT, WITHOUT ROWID;

-- When the server running an import's check, run or undo last showed it was alive (each batch):
-- an import whose server has gone quiet for minutes is stopped by another instance.
ALTER TABLE imports ADD COLUMN beat_at INTEGER;
