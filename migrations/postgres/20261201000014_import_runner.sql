-- Which server (its data folder's `instance-id`) runs an import's check, run or undo: at start-up a
-- server stops only its own interrupted work, never that of another instance sharing the database.
ALTER TABLE imports ADD COLUMN runner TEXT;
