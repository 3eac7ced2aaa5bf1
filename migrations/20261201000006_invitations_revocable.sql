-- Invitations can be revoked (by an administrator, or when their creator is deactivated or stops
-- being an administrator); a revoked link says so when opened.
ALTER TABLE invitations ADD COLUMN revoked_at INTEGER;
CREATE INDEX invitations_by_creator ON invitations (created_by) WHERE accepted_at IS NULL;
