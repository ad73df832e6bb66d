-- Contract of customer-address. Applied only by the library's "contract" action, which refuses it
-- unless the migration is in NEW_ONLY; never by the application's Flyway run at start-up.
-- One statement per column: the portable form on H2, PostgreSQL and MySQL/MariaDB.
ALTER TABLE customers DROP COLUMN street;
ALTER TABLE customers DROP COLUMN city;
ALTER TABLE customers DROP COLUMN zip;
