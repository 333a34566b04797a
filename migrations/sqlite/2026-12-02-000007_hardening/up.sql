-- Hardening. A membership keeps the name its trust knows the person by (what the inviting trust
-- typed, until the person signs in to that trust), so one trust never sees the name another
-- trust's account carries. Two trusts never share a name. A plugin version records who added
-- it and is offered to councils only once an operator has approved it.
ALTER TABLE memberships ADD COLUMN display_name TEXT NOT NULL DEFAULT '';
UPDATE memberships SET display_name = (SELECT u.display_name FROM users u WHERE u.id = memberships.user_id);
CREATE UNIQUE INDEX tenants_name_unique ON tenants (lower(name));
ALTER TABLE plugins ADD COLUMN added_by TEXT;
ALTER TABLE plugins ADD COLUMN approved BOOLEAN NOT NULL DEFAULT TRUE;
