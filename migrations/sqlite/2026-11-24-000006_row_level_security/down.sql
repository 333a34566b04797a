-- Row-level security is a PostgreSQL feature. SQLite is the single-process embedded mode, where
-- tenant scoping rests on the repository functions alone; this migration exists so both
-- backends carry the same list of migrations.
SELECT 1;
