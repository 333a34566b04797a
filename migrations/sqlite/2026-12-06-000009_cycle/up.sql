-- The commissioning cycle's writes. Every editable record carries a version, so a stale edit
-- is refused instead of overwriting a colleague's change; records that others point at are
-- archived, never deleted. A contract's variations, extensions and termination are events.
-- A project may come from a contract's review (re-commissioning), and a decision may be on a
-- review. SQLite cannot add a composite foreign key to an existing table, so triggers keep
-- those references inside the tenant (PostgreSQL has the composite keys).

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
ALTER TABLE contracts ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE reviews ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE reviews ADD COLUMN evidence TEXT NOT NULL DEFAULT '';
ALTER TABLE reviews ADD COLUMN follow_up_project_id TEXT;
ALTER TABLE decisions ADD COLUMN review_id TEXT;

CREATE TRIGGER commissioning_projects_contract_tenant BEFORE INSERT ON commissioning_projects
WHEN NEW.contract_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM contracts WHERE tenant_id = NEW.tenant_id AND id = NEW.contract_id)
BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: contract_id'); END;
CREATE TRIGGER commissioning_projects_contract_tenant_update BEFORE UPDATE OF contract_id ON commissioning_projects
WHEN NEW.contract_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM contracts WHERE tenant_id = NEW.tenant_id AND id = NEW.contract_id)
BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: contract_id'); END;
CREATE TRIGGER reviews_follow_up_tenant BEFORE INSERT ON reviews
WHEN NEW.follow_up_project_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM commissioning_projects WHERE tenant_id = NEW.tenant_id AND id = NEW.follow_up_project_id)
BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: follow_up_project_id'); END;
CREATE TRIGGER reviews_follow_up_tenant_update BEFORE UPDATE OF follow_up_project_id ON reviews
WHEN NEW.follow_up_project_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM commissioning_projects WHERE tenant_id = NEW.tenant_id AND id = NEW.follow_up_project_id)
BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: follow_up_project_id'); END;
CREATE TRIGGER decisions_review_tenant BEFORE INSERT ON decisions
WHEN NEW.review_id IS NOT NULL
    AND NOT EXISTS (SELECT 1 FROM reviews WHERE tenant_id = NEW.tenant_id AND id = NEW.review_id)
BEGIN SELECT RAISE(ABORT, 'FOREIGN KEY constraint failed: review_id'); END;

CREATE TABLE contract_events (
    id TEXT NOT NULL PRIMARY KEY,
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

-- A standard may be rated by several named groups (Kent rated its standards through many
-- groups and a survey): one rating per standard and rater, "" for the trust's own single rating.
CREATE TABLE self_evaluation_scores_rated (
    id TEXT NOT NULL PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    self_evaluation_id TEXT NOT NULL,
    standard_code TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    evidence TEXT NOT NULL DEFAULT '',
    options TEXT NOT NULL DEFAULT '',
    rater TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (tenant_id, self_evaluation_id) REFERENCES self_evaluations (tenant_id, id),
    UNIQUE (self_evaluation_id, standard_code, rater)
);
INSERT INTO self_evaluation_scores_rated (id, tenant_id, self_evaluation_id, standard_code, score, evidence, options)
    SELECT id, tenant_id, self_evaluation_id, standard_code, score, evidence, options FROM self_evaluation_scores;
DROP TABLE self_evaluation_scores;
ALTER TABLE self_evaluation_scores_rated RENAME TO self_evaluation_scores;
CREATE INDEX self_evaluation_scores_evaluation ON self_evaluation_scores (tenant_id, self_evaluation_id);
