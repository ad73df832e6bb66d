ALTER TABLE orders DROP COLUMN cust_ref;
