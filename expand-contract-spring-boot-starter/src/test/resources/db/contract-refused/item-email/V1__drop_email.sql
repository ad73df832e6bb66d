-- Written for MariaDB: pt-online-schema-change cannot serve this database (H2), so the DDL guard
-- refuses the statement before it runs.
-- expand-contract: executor=pt-osc
ALTER TABLE items DROP COLUMN email;
