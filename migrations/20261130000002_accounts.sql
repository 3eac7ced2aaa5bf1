-- Accounts, their sign-in sessions, sign-in attempts (for throttling) and invitations.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE CHECK (email = lower(email)),
    name          TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    INTEGER NOT NULL DEFAULT (unixepoch()),
    updated_at    INTEGER NOT NULL DEFAULT (unixepoch())
) STRICT;

-- The server-side record behind a signed-in browser. The session cookie points (through
-- tower-sessions) at a session whose data holds `id`; deleting the row signs that browser out.
CREATE TABLE auth_sessions (
    id           TEXT    PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_agent   TEXT    NOT NULL DEFAULT '',
    ip           TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) STRICT;
CREATE INDEX auth_sessions_by_user ON auth_sessions (user_id);

CREATE TABLE sign_in_attempts (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    email     TEXT    NOT NULL,
    ip        TEXT    NOT NULL,
    succeeded INTEGER NOT NULL CHECK (succeeded IN (0, 1))
) STRICT;
CREATE INDEX sign_in_failures_by_email ON sign_in_attempts (email, at) WHERE succeeded = 0;
CREATE INDEX sign_in_failures_by_ip ON sign_in_attempts (ip, at) WHERE succeeded = 0;

CREATE TABLE invitations (
    id          INTEGER PRIMARY KEY,
    token_hash  TEXT    NOT NULL UNIQUE,
    role        TEXT    NOT NULL CHECK (role IN ('admin', 'member', 'viewer')),
    created_by  INTEGER NOT NULL REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    accepted_at INTEGER,
    accepted_by INTEGER REFERENCES users (id)
) STRICT;

-- tower-sessions' store (the layout its SqliteStore expects).
CREATE TABLE tower_sessions (
    id          TEXT    PRIMARY KEY NOT NULL,
    data        BLOB    NOT NULL,
    expiry_date INTEGER NOT NULL
);
CREATE INDEX tower_sessions_by_expiry ON tower_sessions (expiry_date);
