-- For the entity-path tests: a version column for optimistic locking (VersionedCustomer), and
-- orders whose lazy association loads a customer outside any repository call.
ALTER TABLE customers ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

CREATE TABLE customer_orders (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  customer_id BIGINT NOT NULL,
  item VARCHAR(100) NOT NULL
);
