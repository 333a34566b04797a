-- Row-level security: every table of tenant rows is visible only within the tenant set for the
-- current transaction (`platform.tenant_id`), or in the platform scope used by operator work
-- (`platform.scope = 'platform'`). The web server runs its queries as `platform_app`, a role
-- that is neither superuser nor owner and so is subject to these policies. Sign-ups and email
-- links are platform rows (a council that is not a tenant yet) and are not covered.

DO $$
BEGIN
    CREATE ROLE platform_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
EXCEPTION
    -- The role is cluster-wide: another database on the server may have created it already.
    WHEN duplicate_object OR unique_violation THEN NULL;
END
$$;

DO $$
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO platform_app', current_database());
END
$$;
GRANT USAGE ON SCHEMA public TO platform_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO platform_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO platform_app;

DO $$
DECLARE
    t TEXT;
BEGIN
    FOR t IN
        SELECT c.table_name FROM information_schema.columns c
        JOIN information_schema.tables tb ON tb.table_name = c.table_name AND tb.table_schema = c.table_schema
        WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND tb.table_type = 'BASE TABLE'
          AND c.table_name NOT IN ('signups', 'email_tokens')
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format(
            'CREATE POLICY tenant_isolation ON %I USING ('
            'tenant_id = current_setting(''platform.tenant_id'', true) '
            'OR current_setting(''platform.scope'', true) = ''platform'') WITH CHECK ('
            'tenant_id = current_setting(''platform.tenant_id'', true) '
            'OR current_setting(''platform.scope'', true) = ''platform'')',
            t);
    END LOOP;
END
$$;
