-- Release N: the customer table as it was before the migrations.
-- Identity syntax differs per database, hence one V1 per vendor folder; the rest is shared.
-- email, street, city and zip are nullable: expand-contract writes them right after the entity's
-- own INSERT, and stops writing them once their migration reaches NEW_ONLY.
CREATE TABLE customers (
  id BIGINT AUTO_INCREMENT PRIMARY KEY,
  name VARCHAR(200) NOT NULL,
  email VARCHAR(320),
  street VARCHAR(200),
  city VARCHAR(100),
  zip VARCHAR(20)
);
