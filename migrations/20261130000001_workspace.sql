-- The deployment itself: one row describing this organisation's workspace.
CREATE TABLE workspace (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    name       TEXT    NOT NULL DEFAULT 'Clientele' CHECK (length(name) BETWEEN 1 AND 200),
    created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
) STRICT;

INSERT INTO workspace (id) VALUES (1);
