-- Activities: what happened with a contact or a company (note, call, meeting, e-mail). An activity
-- logged on a contact also carries the contact's company at that time, so a company's timeline
-- (its own activities and its contacts') is one index range. Deleting moves it to the trash.
CREATE TABLE activities (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('note', 'call', 'meeting', 'email')),
    subject     TEXT    NOT NULL CHECK (subject <> ''),
    body        TEXT    NOT NULL DEFAULT '',
    happened_at INTEGER NOT NULL,
    contact_id  INTEGER REFERENCES contacts (id) ON DELETE CASCADE,
    company_id  INTEGER REFERENCES companies (id) ON DELETE CASCADE,
    author_id   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    updated_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    deleted_at  INTEGER,
    CHECK (contact_id IS NOT NULL OR company_id IS NOT NULL)
) STRICT;
-- Timelines, newest first, one index range each: a contact's, a company's, everyone's.
CREATE INDEX activities_by_contact ON activities (contact_id, happened_at, id) WHERE deleted_at IS NULL;
CREATE INDEX activities_by_company ON activities (company_id, happened_at, id) WHERE deleted_at IS NULL;
CREATE INDEX activities_recent ON activities (happened_at, id) WHERE deleted_at IS NULL;
CREATE INDEX activities_trash ON activities (deleted_at) WHERE deleted_at IS NOT NULL;
-- For the foreign keys' deletes (a record deleted for good takes its activities along).
CREATE INDEX activities_contact ON activities (contact_id);
CREATE INDEX activities_company ON activities (company_id);
