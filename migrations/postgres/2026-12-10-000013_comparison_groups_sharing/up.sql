-- Regional comparison, third part: a trust's own comparison groups, and its local indicator
-- values shared, indicator by indicator, with the other trusts that share the same indicator,
-- after disclosure control.

-- The scorecard reads every authority's value for one period of each measure at once.
CREATE INDEX ref_values_period ON ref_values (measure, period);

-- A comparison group a trust defines (say, the trusts of its region on this platform): DfE
-- authority codes, compared against as the statistical neighbours are.
CREATE TABLE comparison_groups (
    id TEXT NOT NULL PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL,
    -- DfE's three-digit codes, comma-separated, in the order chosen.
    members TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, name)
);
ALTER TABLE comparison_groups ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON comparison_groups
    USING (tenant_id = current_setting('platform.tenant_id', true)
           OR current_setting('platform.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('platform.tenant_id', true)
                OR current_setting('platform.scope', true) = 'platform');
GRANT SELECT, INSERT, UPDATE, DELETE ON comparison_groups TO platform_app;

-- An indicator a trust shares (its admin opted in); removing the row withdraws it.
CREATE TABLE indicator_shares (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    indicator_code TEXT NOT NULL REFERENCES indicators (code),
    shared_by TEXT NOT NULL REFERENCES users (id),
    shared_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, indicator_code)
);
ALTER TABLE indicator_shares ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON indicator_shares
    USING (tenant_id = current_setting('platform.tenant_id', true)
           OR current_setting('platform.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('platform.tenant_id', true)
                OR current_setting('platform.scope', true) = 'platform');
GRANT SELECT, INSERT, UPDATE, DELETE ON indicator_shares TO platform_app;

-- What a trust publishes of a shared indicator: each cell as shown after disclosure control
-- (a number, or `c`, `z`, `x`, `low`), in the common banding. Only these rows leave a trust.
CREATE TABLE shared_cells (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    indicator_code TEXT NOT NULL REFERENCES indicators (code),
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    -- `total`, `age`, `sex`, `area`, `group` or `age_sex`.
    dimension TEXT NOT NULL,
    -- The cell within it (`0-4`, `female`, `0-4 female`); empty for the total.
    cell TEXT NOT NULL,
    -- The count as shown, and the rate as shown (the indicator's value).
    count_shown TEXT NOT NULL,
    rate_shown TEXT NOT NULL,
    -- The numbers behind what is shown, only where shown.
    count_value BIGINT,
    rate_value DOUBLE PRECISION,
    published_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, indicator_code, period_start, dimension, cell)
);
CREATE INDEX shared_cells_indicator ON shared_cells (indicator_code, period_start);
ALTER TABLE shared_cells ENABLE ROW LEVEL SECURITY;
-- A trust reads the shared cells of an indicator only when it shares that indicator itself.
CREATE POLICY shared_read ON shared_cells FOR SELECT
    USING (EXISTS (SELECT 1 FROM indicator_shares s
                   WHERE s.indicator_code = shared_cells.indicator_code
                     AND s.tenant_id = current_setting('platform.tenant_id', true))
           OR current_setting('platform.scope', true) = 'platform');
-- And writes (publishes, withdraws) only its own.
CREATE POLICY owner_write ON shared_cells
    USING (tenant_id = current_setting('platform.tenant_id', true)
           OR current_setting('platform.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('platform.tenant_id', true)
                OR current_setting('platform.scope', true) = 'platform');
GRANT SELECT, INSERT, UPDATE, DELETE ON shared_cells TO platform_app;

-- An operator imports the reference data from the operator's page too: the web server's role
-- may write it, but only in the platform's scope (a tenant's work only reads it).
DO $$
DECLARE t TEXT;
BEGIN
    FOREACH t IN ARRAY ARRAY['ref_releases', 'ref_measures', 'ref_areas', 'ref_values', 'ref_neighbours', 'ref_geography']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY read_all ON %I FOR SELECT USING (true)', t);
        EXECUTE format('CREATE POLICY platform_write ON %I USING (current_setting(''platform.scope'', true) = ''platform'') '
                       'WITH CHECK (current_setting(''platform.scope'', true) = ''platform'')', t);
        EXECUTE format('GRANT INSERT, UPDATE, DELETE ON %I TO platform_app', t);
    END LOOP;
END $$;
