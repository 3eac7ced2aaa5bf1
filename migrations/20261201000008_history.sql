-- The change history: one row for every create, edit, delete and restore of a record, written in
-- the transaction of the change itself, so it can never disagree with the data. Never updated.
-- `fields` holds, for a create or an edit, the fields that changed as a JSON array of
-- [name, old, new] with the values as the record's page shows them.
CREATE TABLE changes (
    id        INTEGER PRIMARY KEY,
    kind      TEXT    NOT NULL,  -- 'contact', 'company', …
    record_id INTEGER NOT NULL,
    action    TEXT    NOT NULL CHECK (action IN ('create', 'edit', 'delete', 'restore')),
    at        INTEGER NOT NULL,
    by        INTEGER REFERENCES users (id) ON DELETE SET NULL,
    fields    TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(fields))
) STRICT;
-- Newest first (ids grow with time): a record's history, a user's, a kind's, everyone's.
CREATE INDEX changes_by_record ON changes (kind, record_id, id);
CREATE INDEX changes_by_user ON changes (by, id);
CREATE INDEX changes_by_kind ON changes (kind, id);
