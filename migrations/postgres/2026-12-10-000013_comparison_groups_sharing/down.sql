DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['ref_releases', 'ref_measures', 'ref_areas', 'ref_values', 'ref_neighbours', 'ref_geography']
    LOOP
        EXECUTE format('DROP POLICY read_all ON %I', t);
        EXECUTE format('DROP POLICY platform_write ON %I', t);
        EXECUTE format('ALTER TABLE %I DISABLE ROW LEVEL SECURITY', t);
        EXECUTE format('REVOKE INSERT, UPDATE, DELETE ON %I FROM platform_app', t);
    END LOOP;
END $$;
DROP TABLE shared_cells;
DROP TABLE indicator_shares;
DROP TABLE comparison_groups;
DROP INDEX ref_values_period;
