-- Customer records: companies and contacts, their tags, and their full-text search indexes.
-- Optional text fields hold '' when empty (never NULL), so they sort and compare simply.
-- Times are Unix seconds. `version` grows by one on every change (optimistic locking);
-- `deleted_at` is set while a record is in the trash.

CREATE TABLE companies (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL CHECK (name <> ''),
    domain      TEXT    NOT NULL DEFAULT '',  -- lower-case
    industry    TEXT    NOT NULL DEFAULT '',
    size        INTEGER CHECK (size IS NULL OR size >= 0),  -- employees
    phone       TEXT    NOT NULL DEFAULT '',
    website     TEXT    NOT NULL DEFAULT '',
    street      TEXT    NOT NULL DEFAULT '',
    city        TEXT    NOT NULL DEFAULT '',
    postal_code TEXT    NOT NULL DEFAULT '',
    country     TEXT    NOT NULL DEFAULT '',
    notes       TEXT    NOT NULL DEFAULT '',
    owner_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    created_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    updated_at  INTEGER NOT NULL,
    updated_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    deleted_at  INTEGER,
    sort_name   TEXT GENERATED ALWAYS AS (lower(name)) VIRTUAL
) STRICT;
CREATE UNIQUE INDEX companies_live_domain ON companies (domain) WHERE deleted_at IS NULL AND domain <> '';
-- Each sort order has an index that also holds the filtered columns, so filtering while walking
-- it reads no table rows.
CREATE INDEX companies_live_by_name ON companies (sort_name, id, owner_id, industry) WHERE deleted_at IS NULL;
CREATE INDEX companies_live_by_city ON companies (city, id, owner_id, industry) WHERE deleted_at IS NULL;
CREATE INDEX companies_live_by_domain ON companies (domain, id, owner_id, industry) WHERE deleted_at IS NULL;
CREATE INDEX companies_live_by_updated ON companies (updated_at, id, owner_id, industry) WHERE deleted_at IS NULL;
CREATE INDEX companies_live_by_industry ON companies (industry) WHERE deleted_at IS NULL;
CREATE INDEX companies_by_owner ON companies (owner_id);
CREATE INDEX companies_trash ON companies (deleted_at) WHERE deleted_at IS NOT NULL;

CREATE TABLE contacts (
    id           INTEGER PRIMARY KEY,
    first_name   TEXT    NOT NULL DEFAULT '',
    last_name    TEXT    NOT NULL DEFAULT '',
    email        TEXT    NOT NULL DEFAULT '',  -- lower-case
    phone        TEXT    NOT NULL DEFAULT '',  -- as typed
    phone_digits TEXT    NOT NULL DEFAULT '',  -- its digits only
    phone_search TEXT    NOT NULL DEFAULT '',  -- the search tokens for it (`domain::PhoneNumber`)
    job_title    TEXT    NOT NULL DEFAULT '',
    company_id   INTEGER REFERENCES companies (id) ON DELETE SET NULL,
    city         TEXT    NOT NULL DEFAULT '',
    status       TEXT    NOT NULL DEFAULT 'lead'
                 CHECK (status IN ('lead', 'prospect', 'customer', 'inactive')),
    tags         TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),  -- a JSON array of strings
    notes        TEXT    NOT NULL DEFAULT '',
    owner_id     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at   INTEGER NOT NULL,
    created_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    updated_at   INTEGER NOT NULL,
    updated_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    version      INTEGER NOT NULL DEFAULT 1,
    deleted_at   INTEGER,
    sort_name    TEXT GENERATED ALWAYS AS (lower(trim(last_name || ' ' || first_name))) VIRTUAL,
    CHECK (first_name <> '' OR last_name <> '')
) STRICT;
CREATE UNIQUE INDEX contacts_live_email ON contacts (email) WHERE deleted_at IS NULL AND email <> '';
-- As for companies: one index per sort order, holding the filtered columns too.
CREATE INDEX contacts_live_by_name ON contacts (sort_name, id, status, owner_id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_live_by_email ON contacts (email, id, status, owner_id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_live_by_city ON contacts (city, id, status, owner_id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_live_by_updated ON contacts (updated_at, id, status, owner_id) WHERE deleted_at IS NULL;
CREATE INDEX contacts_by_company ON contacts (company_id);
CREATE INDEX contacts_by_owner ON contacts (owner_id);
CREATE INDEX contacts_trash ON contacts (deleted_at) WHERE deleted_at IS NOT NULL;

-- One row per tag of a live contact, kept in step with `contacts.tags` by triggers, for filtering.
CREATE TABLE contact_tags (
    tag        TEXT    NOT NULL COLLATE NOCASE,
    contact_id INTEGER NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
    PRIMARY KEY (tag, contact_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX contact_tags_by_contact ON contact_tags (contact_id);

CREATE TRIGGER contacts_tags_insert AFTER INSERT ON contacts WHEN new.deleted_at IS NULL BEGIN
    INSERT OR IGNORE INTO contact_tags (tag, contact_id) SELECT value, new.id FROM json_each(new.tags);
END;
CREATE TRIGGER contacts_tags_update AFTER UPDATE OF tags, deleted_at ON contacts BEGIN
    DELETE FROM contact_tags WHERE contact_id = old.id;
    INSERT OR IGNORE INTO contact_tags (tag, contact_id)
    SELECT value, new.id FROM json_each(new.tags) WHERE new.deleted_at IS NULL;
END;

-- Full-text search over live records (a record leaves the index when it goes to the trash and
-- comes back with it). Both indexes are contentless (they hold only the index; rowid = record id)
-- and support deletes. What a contact is found by is defined once, by this view: its names, its
-- company's name, e-mail, phone (digits forwards and backwards, so a number typed without its
-- country or trunk prefix still matches) and notes.
CREATE VIEW contacts_search (id, name, company, email, phone, notes) AS
SELECT c.id, c.first_name || ' ' || c.last_name, coalesce(co.name, ''), c.email, c.phone_search,
       c.notes
FROM contacts c LEFT JOIN companies co ON co.id = c.company_id AND co.deleted_at IS NULL
WHERE c.deleted_at IS NULL;

CREATE VIRTUAL TABLE contacts_fts USING fts5 (
    name, company, email, phone, notes,
    content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_fts (rowid, name, company, email, phone, notes)
    SELECT id, name, company, email, phone, notes FROM contacts_search WHERE id = new.id;
END;
CREATE TRIGGER contacts_fts_update
AFTER UPDATE OF first_name, last_name, email, phone_search, notes, company_id, deleted_at
ON contacts BEGIN
    DELETE FROM contacts_fts WHERE rowid = old.id;
    INSERT INTO contacts_fts (rowid, name, company, email, phone, notes)
    SELECT id, name, company, email, phone, notes FROM contacts_search WHERE id = new.id;
END;
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
    DELETE FROM contacts_fts WHERE rowid = old.id;
END;
-- A company's new name (or its going to the trash) is seen in its contacts' search too.
CREATE TRIGGER contacts_fts_company_changed AFTER UPDATE OF name, deleted_at ON companies BEGIN
    DELETE FROM contacts_fts WHERE rowid IN (SELECT id FROM contacts WHERE company_id = new.id);
    INSERT INTO contacts_fts (rowid, name, company, email, phone, notes)
    SELECT id, name, company, email, phone, notes FROM contacts_search
    WHERE id IN (SELECT id FROM contacts WHERE company_id = new.id);
END;

CREATE VIRTUAL TABLE companies_fts USING fts5 (
    name, domain, industry, city, notes,
    content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER companies_fts_insert AFTER INSERT ON companies WHEN new.deleted_at IS NULL BEGIN
    INSERT INTO companies_fts (rowid, name, domain, industry, city, notes)
    VALUES (new.id, new.name, new.domain, new.industry, new.city, new.notes);
END;
CREATE TRIGGER companies_fts_update
AFTER UPDATE OF name, domain, industry, city, notes, deleted_at ON companies BEGIN
    DELETE FROM companies_fts WHERE rowid = old.id;
    INSERT INTO companies_fts (rowid, name, domain, industry, city, notes)
    SELECT new.id, new.name, new.domain, new.industry, new.city, new.notes
    WHERE new.deleted_at IS NULL;
END;
CREATE TRIGGER companies_fts_delete AFTER DELETE ON companies BEGIN
    DELETE FROM companies_fts WHERE rowid = old.id;
END;
