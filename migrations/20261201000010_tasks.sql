-- Tasks: what someone on the team has to do, by when, optionally about a contact or a company.
-- `due_at` is the moment the task becomes overdue: the given time, or the end of the given day
-- (UTC) when no time was given (`due_time` = 0). Done tasks keep when and by whom.
CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY,
    title       TEXT    NOT NULL CHECK (title <> ''),
    due_at      INTEGER,
    due_time    INTEGER NOT NULL DEFAULT 0 CHECK (due_time IN (0, 1)),
    assignee_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    contact_id  INTEGER REFERENCES contacts (id) ON DELETE CASCADE,
    company_id  INTEGER REFERENCES companies (id) ON DELETE CASCADE,
    done_at     INTEGER,
    done_by     INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    created_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    updated_at  INTEGER NOT NULL,
    updated_by  INTEGER REFERENCES users (id) ON DELETE SET NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    deleted_at  INTEGER
) STRICT;
-- "My tasks" and the filters of /tasks: by assignee, open or done, in due order (no date last).
CREATE INDEX tasks_by_assignee ON tasks (assignee_id, done_at IS NOT NULL, coalesce(due_at, 9223372036854775807), id) WHERE deleted_at IS NULL;
CREATE INDEX tasks_by_due ON tasks (done_at IS NOT NULL, coalesce(due_at, 9223372036854775807), id) WHERE deleted_at IS NULL;
-- A record's open tasks.
CREATE INDEX tasks_by_contact ON tasks (contact_id, done_at IS NOT NULL, coalesce(due_at, 9223372036854775807), id) WHERE deleted_at IS NULL;
CREATE INDEX tasks_by_company ON tasks (company_id, done_at IS NOT NULL, coalesce(due_at, 9223372036854775807), id) WHERE deleted_at IS NULL;
CREATE INDEX tasks_trash ON tasks (deleted_at) WHERE deleted_at IS NOT NULL;
