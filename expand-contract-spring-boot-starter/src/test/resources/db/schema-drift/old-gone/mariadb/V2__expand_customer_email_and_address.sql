-- Expand: the new schema of both migrations; nothing of the old one is dropped.
ALTER TABLE customers ADD COLUMN email_normalized VARCHAR(200) NULL;

-- No foreign key to customers: a dual-written delete removes the old row first.
-- postal_code is narrower than zip on purpose: a too long zip makes the new write fail.
CREATE TABLE customer_addresses (
  customer_id BIGINT NOT NULL PRIMARY KEY,
  street VARCHAR(200) NULL,
  city VARCHAR(100) NULL,
  postal_code VARCHAR(10) NULL
);
