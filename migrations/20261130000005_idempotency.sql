-- Idempotency keys: every mutating form carries a random key rendered with it. The first request
-- with a key inserts its row (outcome NULL while the effect runs) and stores its outcome; a repeat
-- of that key by the same user gets the stored outcome without repeating the effect. A request that
-- fails deletes its row, so the form can be corrected and sent again. Rows are purged after a day.
CREATE TABLE idempotency (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    -- SHA-256 (base64) of what was asked for: the same key with other values is refused.
    request_hash TEXT NOT NULL,
    -- The successful outcome as JSON; NULL while the first request is still running.
    outcome TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, key)
) WITHOUT ROWID;

CREATE INDEX idempotency_created ON idempotency (created_at);
