CREATE TABLE self_evaluation_scores_single (
    id TEXT NOT NULL PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    self_evaluation_id TEXT NOT NULL,
    standard_code TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    evidence TEXT NOT NULL DEFAULT '',
    options TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (tenant_id, self_evaluation_id) REFERENCES self_evaluations (tenant_id, id),
    UNIQUE (self_evaluation_id, standard_code)
);
-- One rating per standard survives: the trust's own, else the first by rater.
INSERT INTO self_evaluation_scores_single (id, tenant_id, self_evaluation_id, standard_code, score, evidence, options)
    SELECT id, tenant_id, self_evaluation_id, standard_code, score, evidence, options FROM self_evaluation_scores s
    WHERE rater = (SELECT MIN(rater) FROM self_evaluation_scores t
                   WHERE t.self_evaluation_id = s.self_evaluation_id AND t.standard_code = s.standard_code);
DROP TABLE self_evaluation_scores;
ALTER TABLE self_evaluation_scores_single RENAME TO self_evaluation_scores;
CREATE INDEX self_evaluation_scores_evaluation ON self_evaluation_scores (tenant_id, self_evaluation_id);
DROP INDEX contracts_status;
DROP INDEX reviews_owner_body;
DROP TABLE contract_events;
DROP TRIGGER decisions_review_tenant;
DROP TRIGGER reviews_follow_up_tenant_update;
DROP TRIGGER reviews_follow_up_tenant;
DROP TRIGGER commissioning_projects_contract_tenant_update;
DROP TRIGGER commissioning_projects_contract_tenant;
ALTER TABLE decisions DROP COLUMN review_id;
ALTER TABLE reviews DROP COLUMN follow_up_project_id;
ALTER TABLE reviews DROP COLUMN evidence;
ALTER TABLE reviews DROP COLUMN version;
ALTER TABLE contracts DROP COLUMN version;
ALTER TABLE commissioning_projects DROP COLUMN contract_id;
ALTER TABLE commissioning_projects DROP COLUMN body;
ALTER TABLE commissioning_projects DROP COLUMN version;
ALTER TABLE services DROP COLUMN body;
ALTER TABLE services DROP COLUMN archived_at;
ALTER TABLE services DROP COLUMN version;
ALTER TABLE providers DROP COLUMN archived_at;
ALTER TABLE providers DROP COLUMN version;
ALTER TABLE priorities DROP COLUMN archived_at;
ALTER TABLE priorities DROP COLUMN version;
ALTER TABLE needs DROP COLUMN archived_at;
ALTER TABLE needs DROP COLUMN version;
