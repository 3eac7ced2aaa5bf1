-- The home page counts live contacts by status (up to the list's count cap), one index range each.
CREATE INDEX contacts_live_by_status ON contacts (status) WHERE deleted_at IS NULL;
