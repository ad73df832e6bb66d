-- No directive: runs with the executor configured for customer-email (pt-osc in the test).
ALTER TABLE customers DROP COLUMN email;
