-- expand-contract's own tables, table prefix expand_contract_ (the same DDL on PostgreSQL, MariaDB/MySQL and H2).
-- Run it once, as a user allowed to create tables, when the application's user may not
-- (expand-contract.jdbc.initialize-schema=never). A test keeps it equal to what the library creates.

CREATE TABLE IF NOT EXISTS expand_contract_migration (
  migration_id VARCHAR(100) NOT NULL PRIMARY KEY,
  phase VARCHAR(20) NOT NULL,
  read_percent INT NOT NULL,
  version BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  paused INT NOT NULL,
  resync_old INT NOT NULL,
  cursor_key VARCHAR(500),
  upper_key VARCHAR(500),
  rows_done BIGINT NOT NULL,
  rows_total BIGINT NOT NULL,
  batch_size INT NOT NULL,
  backfill_started_at BIGINT,
  backfill_finished_at BIGINT,
  last_error VARCHAR(2000),
  claim_owner VARCHAR(200),
  claim_until BIGINT,
  read_new_full_at BIGINT,
  verify_mismatches BIGINT,
  verify_sample VARCHAR(2000),
  verified_at BIGINT
);

CREATE TABLE IF NOT EXISTS expand_contract_transition (
  migration_id VARCHAR(100) NOT NULL,
  version BIGINT NOT NULL,
  from_phase VARCHAR(20) NOT NULL,
  to_phase VARCHAR(20) NOT NULL,
  read_percent INT NOT NULL,
  at_millis BIGINT NOT NULL,
  actor VARCHAR(200) NOT NULL,
  reason VARCHAR(2000) NOT NULL,
  PRIMARY KEY (migration_id, version)
);

CREATE TABLE IF NOT EXISTS expand_contract_instance (
  instance_id VARCHAR(200) NOT NULL,
  migration_id VARCHAR(100) NOT NULL,
  phase_seen VARCHAR(20) NOT NULL,
  version_seen BIGINT NOT NULL,
  read_percent_applied INT NOT NULL,
  writes_old_applied INT NOT NULL,
  heartbeat_at BIGINT NOT NULL,
  PRIMARY KEY (instance_id, migration_id)
);

CREATE TABLE IF NOT EXISTS expand_contract_chunk (
  migration_id VARCHAR(100) NOT NULL,
  chunk_no INT NOT NULL,
  lower_key VARCHAR(500),
  upper_key VARCHAR(500),
  cursor_key VARCHAR(500),
  done INT NOT NULL,
  rows_done BIGINT NOT NULL,
  owner_id VARCHAR(200),
  worker INT,
  lease_until BIGINT,
  PRIMARY KEY (migration_id, chunk_no)
);

CREATE TABLE IF NOT EXISTS expand_contract_poison (
  migration_id VARCHAR(100) NOT NULL,
  row_key VARCHAR(500) NOT NULL,
  error VARCHAR(2000) NOT NULL,
  at_millis BIGINT NOT NULL,
  PRIMARY KEY (migration_id, row_key)
);

CREATE TABLE IF NOT EXISTS expand_contract_old_column (
  migration_id VARCHAR(100) NOT NULL,
  column_no INT NOT NULL,
  column_name VARCHAR(100) NOT NULL,
  jdbc_type INT NOT NULL,
  type_name VARCHAR(100) NOT NULL,
  type_size INT NOT NULL,
  type_scale INT,
  PRIMARY KEY (migration_id, column_no)
);

CREATE TABLE IF NOT EXISTS expand_contract_tuning (
  migration_id VARCHAR(100) NOT NULL,
  setting VARCHAR(64) NOT NULL,
  setting_value VARCHAR(100) NOT NULL,
  PRIMARY KEY (migration_id, setting)
);
