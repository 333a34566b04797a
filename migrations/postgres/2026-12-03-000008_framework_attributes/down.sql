ALTER TABLE commissioning_projects DROP COLUMN attributes;
ALTER TABLE contracts DROP COLUMN attributes;
ALTER TABLE services DROP COLUMN attributes;
ALTER TABLE providers DROP COLUMN attributes;
