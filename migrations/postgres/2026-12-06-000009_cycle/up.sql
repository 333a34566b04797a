-- The commissioning cycle's writes. Every editable record carries a version, so a stale edit
-- is refused instead of overwriting a colleague's change; records that others point at are
-- archived, never deleted. A contract's variations, extensions and termination are events.
-- A project may come from a contract's review (re-commissioning), and a decision may be on a
-- review; both references are composite keys, like every other reference between tenant rows.

ALTER TABLE needs ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE needs ADD COLUMN archived_at TIMESTAMP;
ALTER TABLE priorities ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE priorities ADD COLUMN archived_at TIMESTAMP;
ALTER TABLE providers ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE providers ADD COLUMN archived_at TIMESTAMP;
ALTER TABLE services ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE services ADD COLUMN archived_at TIMESTAMP;
-- The framework's body that oversees the service (from the plugin's classify).
ALTER TABLE services ADD COLUMN body TEXT;
ALTER TABLE commissioning_projects ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE commissioning_projects ADD COLUMN body TEXT;
ALTER TABLE commissioning_projects ADD COLUMN contract_id TEXT;
ALTER TABLE commissioning_projects ADD FOREIGN KEY (tenant_id, contract_id) REFERENCES contracts (tenant_id, id);
ALTER TABLE contracts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE reviews ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE reviews ADD COLUMN evidence TEXT NOT NULL DEFAULT '';
ALTER TABLE reviews ADD COLUMN follow_up_project_id TEXT;
ALTER TABLE reviews ADD FOREIGN KEY (tenant_id, follow_up_project_id) REFERENCES commissioning_projects (tenant_id, id);
ALTER TABLE decisions ADD COLUMN review_id TEXT;
ALTER TABLE decisions ADD FOREIGN KEY (tenant_id, review_id) REFERENCES reviews (tenant_id, id);

CREATE TABLE contract_events (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    contract_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('variation', 'extension', 'termination')),
    effective_on DATE NOT NULL,
    reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 4000),
    -- What the event changed: a JSON array of {field, before, after}.
    changes TEXT NOT NULL DEFAULT '[]',
    recorded_by_user_id TEXT REFERENCES users (id),
    recorded_at TIMESTAMP NOT NULL,
    FOREIGN KEY (tenant_id, contract_id) REFERENCES contracts (tenant_id, id)
);
CREATE INDEX contract_events_contract ON contract_events (tenant_id, contract_id, recorded_at);
CREATE INDEX reviews_owner_body ON reviews (tenant_id, owner_body, due_on);
CREATE INDEX contracts_status ON contracts (tenant_id, status, end_date);

-- Events are tenant rows like any other: the same row-level security as migration 000006.
ALTER TABLE contract_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON contract_events
    USING (tenant_id = current_setting('platform.tenant_id', true)
           OR current_setting('platform.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('platform.tenant_id', true)
                OR current_setting('platform.scope', true) = 'platform');
GRANT SELECT, INSERT, UPDATE, DELETE ON contract_events TO platform_app;

-- A standard may be rated by several named groups (Kent rated its standards through many
-- groups and a survey): one rating per standard and rater, "" for the trust's own single rating.
ALTER TABLE self_evaluation_scores ADD COLUMN rater TEXT NOT NULL DEFAULT '';
ALTER TABLE self_evaluation_scores DROP CONSTRAINT self_evaluation_scores_self_evaluation_id_standard_code_key;
ALTER TABLE self_evaluation_scores ADD CONSTRAINT self_evaluation_scores_rated UNIQUE (self_evaluation_id, standard_code, rater);
