ALTER TABLE plugins DROP COLUMN approved;
ALTER TABLE plugins DROP COLUMN added_by;
DROP INDEX tenants_name_unique;
ALTER TABLE memberships DROP COLUMN display_name;
