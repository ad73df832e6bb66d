-- Contract applied outside the guard while this release still writes the old column.
ALTER TABLE customers DROP COLUMN email;
