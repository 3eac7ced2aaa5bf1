-- The role a sign-in session was granted. When the user's role changes (by an administrator, say),
-- the next request with that session gets a new session id and this column is brought up to date.
ALTER TABLE auth_sessions ADD COLUMN role TEXT NOT NULL DEFAULT '';
