ALTER TABLE shipments DROP COLUMN carrier;
