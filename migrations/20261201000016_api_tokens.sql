-- Personal access tokens for the JSON API (`/api/v1`): made and revoked by their owner at
-- /settings/tokens, shown once, kept only as a hash. A token acts as its owner, never beyond the
-- owner's role (and only reads when it is read-only).
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,  -- SHA-256 of the token
    hint         TEXT    NOT NULL,         -- its first characters, to tell tokens apart
    can_write    INTEGER NOT NULL CHECK (can_write IN (0, 1)),
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER,
    last_used_at INTEGER,
    revoked_at   INTEGER
) STRICT;
CREATE INDEX api_tokens_of_user ON api_tokens (user_id, id);
