-- Not safe on a big table.
CREATE INDEX orders_note ON orders (note);
ALTER TABLE orders DROP COLUMN note;
