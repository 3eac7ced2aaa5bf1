-- CSV imports: the file a user uploaded, how its columns map to fields, what happens to records
-- that exist already, where the run is, and what it did, so that it can be undone as one unit.
CREATE TABLE imports (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('contact', 'company')),
    file_name   TEXT    NOT NULL,
    by          INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    -- uploaded → checking → checked → running → done | failed | cancelled; done → undone
    state       TEXT    NOT NULL DEFAULT 'uploaded' CHECK (state IN
                ('uploaded', 'checking', 'checked', 'running', 'done', 'failed', 'cancelled', 'undone')),
    on_existing TEXT    NOT NULL DEFAULT 'skip' CHECK (on_existing IN ('skip', 'fill', 'overwrite')),
    mapping     TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(mapping)),  -- a field name or null per column
    header      TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(header)),
    rows_total  INTEGER NOT NULL DEFAULT 0,  -- data rows in the file (known once checked)
    rows_done   INTEGER NOT NULL DEFAULT 0,  -- rows checked or imported so far
    created     INTEGER NOT NULL DEFAULT 0,
    updated     INTEGER NOT NULL DEFAULT 0,
    skipped     INTEGER NOT NULL DEFAULT 0,
    invalid     INTEGER NOT NULL DEFAULT 0,
    cancel      INTEGER NOT NULL DEFAULT 0,  -- asked to stop
    message     TEXT    NOT NULL DEFAULT '',  -- why it stopped, or what undo found
    finished_at INTEGER
) STRICT;
CREATE INDEX imports_recent ON imports (id);

-- The rows a check or run found invalid (the first thousand of them), with their line.
CREATE TABLE import_problems (
    import_id INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    line      INTEGER NOT NULL,
    reason    TEXT    NOT NULL,
    PRIMARY KEY (import_id, line)
) STRICT, WITHOUT ROWID;

-- What a run did to each record, written in the batch's transaction: created it, or changed
-- these fields (their old values, as the form has them), leaving it at `version`.
CREATE TABLE import_effects (
    import_id  INTEGER NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
    record_id  INTEGER NOT NULL,
    created    INTEGER NOT NULL,
    version    INTEGER NOT NULL,
    old_values TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(old_values)),
    PRIMARY KEY (import_id, record_id)
) STRICT, WITHOUT ROWID;

-- A change made by an import says so in the history.
ALTER TABLE changes ADD COLUMN import_id INTEGER REFERENCES imports (id) ON DELETE SET NULL;
