-- Release N+1, the expand step: only additions, so release N keeps running unchanged.

-- customer-email (column migration): email -> email_normalized = lower(trim(email)).
ALTER TABLE customers ADD COLUMN email_normalized VARCHAR(320);
CREATE INDEX customers_email_normalized ON customers (email_normalized);

-- customer-address (table migration): street, city, zip -> customer_addresses.
-- No foreign key: the library keeps both sides in step in the application's transactions, and
-- contract must be able to drop the old columns without touching this table.
CREATE TABLE customer_addresses (
  customer_id BIGINT PRIMARY KEY,
  street VARCHAR(200),
  city VARCHAR(100),
  postal_code VARCHAR(20)
);
