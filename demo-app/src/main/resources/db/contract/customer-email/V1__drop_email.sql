-- Contract of customer-email. Applied only by the library's "contract" action, which refuses it
-- unless the migration is in NEW_ONLY; never by the application's Flyway run at start-up.
ALTER TABLE customers DROP COLUMN email;
