-- What was written in an activity finds the contact and the company it belongs to: the Search of
-- the contacts and companies lists also looks here (see `server/db/records.rs`, `SearchIn`). Like
-- the records' indexes, it is contentless (rowid = activity id) and holds live activities only.
CREATE VIRTUAL TABLE activities_fts USING fts5 (
    subject, body,
    content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER activities_fts_insert AFTER INSERT ON activities WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO activities_fts (rowid, subject, body) VALUES (new.id, new.subject, new.body);
END;
CREATE TRIGGER activities_fts_update AFTER UPDATE OF subject, body, deleted_at ON activities BEGIN
    DELETE FROM activities_fts WHERE rowid = old.id;
    INSERT INTO activities_fts (rowid, subject, body)
    SELECT new.id, new.subject, new.body WHERE new.deleted_at IS NULL;
END;
CREATE TRIGGER activities_fts_delete AFTER DELETE ON activities BEGIN
    DELETE FROM activities_fts WHERE rowid = old.id;
END;
-- The activities logged before this index existed.
INSERT INTO activities_fts (rowid, subject, body)
SELECT id, subject, body FROM activities WHERE deleted_at IS NULL;
