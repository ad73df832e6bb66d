ALTER TABLE orders DROP COLUMN amount_text;
