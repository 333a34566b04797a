-- The commissioning cycle: needs and priorities, providers and services, projects, contracts,
-- monitoring, reviews, self-evaluations and decisions. Every row carries tenant_id, and every
-- reference to another tenant row is a composite (tenant_id, id) foreign key, so a row can
-- never point at another tenant's data.

CREATE TABLE providers (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    sector TEXT NOT NULL CHECK (sector IN ('statutory', 'voluntary_community', 'independent_private')),
    registration_number TEXT,
    safeguarding_evidence TEXT,
    safeguarding_checked_on DATE,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, name)
);

CREATE TABLE memberships (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    role TEXT NOT NULL CHECK (role IN ('tenant_admin', 'commissioner', 'board_member', 'provider', 'viewer')),
    provider_id TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, user_id),
    FOREIGN KEY (tenant_id, provider_id) REFERENCES providers (tenant_id, id),
    CHECK ((role = 'provider') = (provider_id IS NOT NULL))
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE indicator_values (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    indicator_code TEXT NOT NULL REFERENCES indicators (code),
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    numerator BIGINT CHECK (numerator >= 0),
    denominator BIGINT CHECK (denominator > 0),
    age_from INTEGER CHECK (age_from BETWEEN 0 AND 25),
    age_to INTEGER CHECK (age_to BETWEEN 0 AND 25),
    sex TEXT CHECK (sex IN ('female', 'male')),
    area TEXT,
    group_name TEXT,
    -- Canonical text of the breakdown, so "no breakdown" is a value a unique key can see.
    breakdown_key TEXT NOT NULL,
    CHECK (period_end >= period_start),
    CHECK (age_to >= age_from),
    CHECK ((age_from IS NULL) = (age_to IS NULL)),
    UNIQUE (tenant_id, indicator_code, period_start, breakdown_key)
);
CREATE INDEX indicator_values_lookup ON indicator_values (tenant_id, indicator_code, period_start);

CREATE TABLE needs (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    outcome_code TEXT NOT NULL REFERENCES outcomes (code),
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    description TEXT NOT NULL DEFAULT '',
    group_name TEXT,
    age_from INTEGER CHECK (age_from BETWEEN 0 AND 25),
    age_to INTEGER CHECK (age_to BETWEEN 0 AND 25),
    area TEXT,
    evidence TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    identified_on DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CHECK (age_to >= age_from),
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, title)
);
CREATE INDEX needs_outcome ON needs (tenant_id, outcome_code);

CREATE TABLE priorities (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    outcome_code TEXT NOT NULL REFERENCES outcomes (code),
    need_id TEXT,
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    rationale TEXT NOT NULL DEFAULT '',
    rank INTEGER NOT NULL CHECK (rank >= 1),
    -- Framework-defined attributes (for example must-do or want-to-do, age band, level of need), a JSON object.
    attributes TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL,
    FOREIGN KEY (tenant_id, need_id) REFERENCES needs (tenant_id, id),
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, title)
);
CREATE INDEX priorities_outcome ON priorities (tenant_id, outcome_code);

CREATE TABLE services (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    provider_id TEXT NOT NULL,
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    description TEXT NOT NULL DEFAULT '',
    tier TEXT NOT NULL CHECK (tier IN ('universal', 'targeted', 'specialist')),
    -- Framework-defined commissioning level (for example strategic, locality, individual).
    level TEXT,
    area TEXT,
    age_from INTEGER NOT NULL CHECK (age_from BETWEEN 0 AND 25),
    age_to INTEGER NOT NULL CHECK (age_to BETWEEN 0 AND 25),
    annual_budget_pence BIGINT NOT NULL CHECK (annual_budget_pence >= 0),
    created_at TIMESTAMP NOT NULL,
    CHECK (age_to >= age_from),
    FOREIGN KEY (tenant_id, provider_id) REFERENCES providers (tenant_id, id),
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, name)
);
CREATE INDEX services_provider ON services (tenant_id, provider_id);
CREATE INDEX services_tier ON services (tenant_id, tier);

CREATE TABLE service_outcomes (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    service_id TEXT NOT NULL,
    outcome_code TEXT NOT NULL REFERENCES outcomes (code),
    PRIMARY KEY (service_id, outcome_code),
    FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id)
);
CREATE INDEX service_outcomes_outcome ON service_outcomes (tenant_id, outcome_code);

CREATE TABLE commissioning_projects (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    description TEXT NOT NULL DEFAULT '',
    level TEXT,
    stage TEXT NOT NULL,
    priority_id TEXT,
    service_id TEXT,
    owner_user_id TEXT REFERENCES users (id),
    started_on DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    FOREIGN KEY (tenant_id, priority_id) REFERENCES priorities (tenant_id, id),
    FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id),
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, title)
);
CREATE INDEX commissioning_projects_stage ON commissioning_projects (tenant_id, stage);

CREATE TABLE project_stage_history (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    project_id TEXT NOT NULL,
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    moved_at TIMESTAMP NOT NULL,
    moved_by_user_id TEXT REFERENCES users (id),
    -- The stage-gate findings the framework returned for this move, a JSON array.
    findings TEXT NOT NULL DEFAULT '[]',
    note TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (tenant_id, project_id) REFERENCES commissioning_projects (tenant_id, id)
);
CREATE INDEX project_stage_history_project ON project_stage_history (tenant_id, project_id, moved_at);

CREATE TABLE contracts (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    reference TEXT NOT NULL CHECK (length(reference) BETWEEN 1 AND 40),
    title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
    service_id TEXT NOT NULL,
    provider_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('block', 'spot', 'sla', 'grant', 'partnership')),
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('draft', 'active', 'ended', 'terminated')),
    value_pence BIGINT NOT NULL CHECK (value_pence >= 0),
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    created_at TIMESTAMP NOT NULL,
    CHECK (end_date >= start_date),
    FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id),
    FOREIGN KEY (tenant_id, provider_id) REFERENCES providers (tenant_id, id),
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, reference)
);
CREATE INDEX contracts_end ON contracts (tenant_id, end_date);
CREATE INDEX contracts_provider ON contracts (tenant_id, provider_id);

CREATE TABLE contract_contributions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    contract_id TEXT NOT NULL,
    partner TEXT NOT NULL CHECK (length(partner) BETWEEN 1 AND 200),
    partner_kind TEXT NOT NULL CHECK (partner_kind IN ('council', 'health', 'police', 'schools', 'voluntary', 'other')),
    amount_pence BIGINT NOT NULL CHECK (amount_pence >= 0),
    FOREIGN KEY (tenant_id, contract_id) REFERENCES contracts (tenant_id, id),
    UNIQUE (contract_id, partner)
);
CREATE INDEX contract_contributions_contract ON contract_contributions (tenant_id, contract_id);

CREATE TABLE contract_kpis (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    contract_id TEXT NOT NULL,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    unit TEXT NOT NULL CHECK (unit IN ('count', 'percent', 'days', 'score')),
    target DOUBLE PRECISION NOT NULL,
    polarity TEXT NOT NULL CHECK (polarity IN ('higher_is_better', 'lower_is_better')),
    frequency TEXT NOT NULL CHECK (frequency IN ('monthly', 'quarterly', 'annual')),
    FOREIGN KEY (tenant_id, contract_id) REFERENCES contracts (tenant_id, id),
    UNIQUE (tenant_id, id),
    UNIQUE (contract_id, code)
);
CREATE INDEX contract_kpis_contract ON contract_kpis (tenant_id, contract_id);

CREATE TABLE monitoring_returns (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    kpi_id TEXT NOT NULL,
    period_start DATE NOT NULL,
    period_end DATE NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    submitted_by_user_id TEXT REFERENCES users (id),
    submitted_at TIMESTAMP NOT NULL,
    CHECK (period_end >= period_start),
    FOREIGN KEY (tenant_id, kpi_id) REFERENCES contract_kpis (tenant_id, id),
    UNIQUE (kpi_id, period_start)
);
CREATE INDEX monitoring_returns_kpi ON monitoring_returns (tenant_id, kpi_id, period_start);

CREATE TABLE reviews (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    contract_id TEXT,
    service_id TEXT,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    due_on DATE NOT NULL,
    owner_user_id TEXT REFERENCES users (id),
    owner_body TEXT,
    status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'in_progress', 'completed', 'cancelled')),
    outcome TEXT CHECK (outcome IN ('continue', 'improve', 'recommission', 'decommission')),
    completed_on DATE,
    notes TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    CHECK ((contract_id IS NULL) <> (service_id IS NULL)),
    CHECK ((status = 'completed') = (completed_on IS NOT NULL AND outcome IS NOT NULL)),
    FOREIGN KEY (tenant_id, contract_id) REFERENCES contracts (tenant_id, id),
    FOREIGN KEY (tenant_id, service_id) REFERENCES services (tenant_id, id),
    UNIQUE (tenant_id, id)
);
CREATE INDEX reviews_due ON reviews (tenant_id, status, due_on);
CREATE INDEX reviews_contract ON reviews (tenant_id, contract_id);
CREATE INDEX reviews_service ON reviews (tenant_id, service_id);

CREATE TABLE self_evaluations (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    standards_set TEXT NOT NULL,
    title TEXT NOT NULL,
    evaluated_on DATE NOT NULL,
    created_by_user_id TEXT REFERENCES users (id),
    -- The framework's summary (bands, weakest standards, options), a JSON object; empty until scored.
    summary TEXT NOT NULL DEFAULT '{}',
    created_at TIMESTAMP NOT NULL,
    UNIQUE (tenant_id, id),
    UNIQUE (tenant_id, title)
);

CREATE TABLE self_evaluation_scores (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    self_evaluation_id TEXT NOT NULL,
    standard_code TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    evidence TEXT NOT NULL DEFAULT '',
    options TEXT NOT NULL DEFAULT '',
    FOREIGN KEY (tenant_id, self_evaluation_id) REFERENCES self_evaluations (tenant_id, id),
    UNIQUE (self_evaluation_id, standard_code)
);
CREATE INDEX self_evaluation_scores_evaluation ON self_evaluation_scores (tenant_id, self_evaluation_id);

CREATE TABLE decisions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    decided_on DATE NOT NULL,
    body TEXT NOT NULL,
    title TEXT NOT NULL,
    decision TEXT NOT NULL,
    decided_by_user_id TEXT REFERENCES users (id),
    contract_id TEXT,
    project_id TEXT,
    recorded_at TIMESTAMP NOT NULL,
    FOREIGN KEY (tenant_id, contract_id) REFERENCES contracts (tenant_id, id),
    FOREIGN KEY (tenant_id, project_id) REFERENCES commissioning_projects (tenant_id, id)
);
CREATE INDEX decisions_date ON decisions (tenant_id, decided_on);
