-- The previous release's schema.
CREATE TABLE orders (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  item VARCHAR(100) NOT NULL,
  cust_ref VARCHAR(40) NULL,
  amount_text VARCHAR(20) NULL
);
CREATE TABLE shipments (
  id CHAR(36) PRIMARY KEY,
  tracking VARCHAR(40) NOT NULL,
  carrier VARCHAR(20) NULL
);
