-- Tenancy and the shared catalogues: trusts, people, the five outcomes, the indicator catalogue.
-- Ids are UUIDs kept as text so the one diesel schema serves PostgreSQL and SQLite alike.

CREATE TABLE tenants (
    id TEXT NOT NULL PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE CHECK (slug NOT GLOB '*[^a-z0-9-]*' AND slug NOT GLOB '-*' AND slug NOT GLOB '*-' AND slug NOT GLOB '*--*' AND length(slug) BETWEEN 1 AND 63),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    ons_code TEXT NOT NULL UNIQUE CHECK (ons_code GLOB 'E0[6-9][0-9][0-9][0-9][0-9][0-9][0-9]' OR ons_code GLOB 'E10[0-9][0-9][0-9][0-9][0-9][0-9]'),
    region TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('pending', 'active', 'suspended')),
    plugin_id TEXT,
    plugin_version TEXT,
    reminder_lead_days TEXT NOT NULL DEFAULT '28,14,7,1',
    share_indicators BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    id TEXT NOT NULL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE CHECK (email = lower(email) AND email LIKE '%_@_%'),
    display_name TEXT NOT NULL,
    is_operator BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE outcomes (
    code TEXT NOT NULL PRIMARY KEY,
    title TEXT NOT NULL,
    position INTEGER NOT NULL UNIQUE
);

CREATE TABLE indicators (
    code TEXT NOT NULL PRIMARY KEY,
    title TEXT NOT NULL,
    outcome_code TEXT NOT NULL REFERENCES outcomes (code),
    unit TEXT NOT NULL CHECK (unit IN ('count', 'percent', 'rate_per_1000', 'rate_per_10000', 'rate_per_100000', 'score')),
    polarity TEXT NOT NULL CHECK (polarity IN ('higher_is_better', 'lower_is_better', 'neutral')),
    description TEXT NOT NULL DEFAULT ''
);
CREATE INDEX indicators_outcome ON indicators (outcome_code);
