-- Expand: a new nullable column, run while a long transaction holds the table.
ALTER TABLE orders ADD COLUMN status VARCHAR(20) NULL;
