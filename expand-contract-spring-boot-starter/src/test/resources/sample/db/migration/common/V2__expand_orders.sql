-- Expand: the new columns of order-customer-ref and order-amount, nullable; nothing is dropped.
ALTER TABLE orders ADD COLUMN customer_ref VARCHAR(40) NULL;
ALTER TABLE orders ADD COLUMN amount NUMERIC(10,2) NULL;
