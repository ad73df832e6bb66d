-- Expand: the new column of shipment-carrier.
ALTER TABLE shipments ADD COLUMN carrier_code VARCHAR(20) NULL;
