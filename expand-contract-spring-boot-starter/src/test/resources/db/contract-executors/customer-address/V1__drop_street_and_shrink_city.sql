-- Also moves city to latin1: only a copying ALTER changes a column's character set, which blocks
-- writes for the whole copy, so the native executor refuses the statement before it runs.
ALTER TABLE customers DROP COLUMN street, MODIFY city VARCHAR(100) CHARACTER SET latin1;
