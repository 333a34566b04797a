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

-- An indicator a trust shares (its admin opted in); removing the row withdraws it.
CREATE TABLE indicator_shares (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    indicator_code TEXT NOT NULL REFERENCES indicators (code),
    shared_by TEXT NOT NULL REFERENCES users (id),
    shared_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, indicator_code)
);

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
