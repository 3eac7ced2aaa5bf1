-- What a bulk load (`clientele seed`) still has to rebuild: the indexes and triggers it dropped and
-- the search rows of what it loaded, in order. Written before the load starts and emptied when the
-- rebuild commits, so a load that was interrupted is finished at the next start.
CREATE TABLE seed_pending (
    step INTEGER PRIMARY KEY,
    sql  TEXT    NOT NULL
) STRICT;
