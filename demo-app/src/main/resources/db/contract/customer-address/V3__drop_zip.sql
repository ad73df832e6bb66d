-- Contract of customer-address, applied only by the library's "contract" action (refused before
-- NEW_ONLY). One statement per script: DDL on MySQL/MariaDB is not transactional, so a script the
-- guard retries after a lock timeout must not have half-applied statements before it.
ALTER TABLE customers DROP COLUMN zip;
