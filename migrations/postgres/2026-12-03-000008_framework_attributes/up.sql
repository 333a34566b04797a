-- The fields a trust's framework asks for beyond the data core (its attribute definitions):
-- kept per record as a JSON object of text values, as priorities already keep theirs, so the
-- plugin can validate, classify and schedule from them.
ALTER TABLE providers ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
ALTER TABLE services ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
ALTER TABLE contracts ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
ALTER TABLE commissioning_projects ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
