-- Accounts: councils signing up, one-time email links, per-tenant OIDC settings, API tokens and
-- (when there is no Redis) sessions. Secrets are never stored as given: links, tokens and
-- session ids as their SHA-256, the OIDC client secret encrypted with the deployment's key.

CREATE TABLE signups (
    id TEXT NOT NULL PRIMARY KEY,
    council_name TEXT NOT NULL CHECK (length(council_name) BETWEEN 1 AND 200),
    ons_code TEXT NOT NULL CHECK (ons_code GLOB 'E0[6-9][0-9][0-9][0-9][0-9][0-9][0-9]' OR ons_code GLOB 'E10[0-9][0-9][0-9][0-9][0-9][0-9]'),
    region TEXT NOT NULL,
    admin_name TEXT NOT NULL CHECK (length(admin_name) BETWEEN 1 AND 200),
    admin_email TEXT NOT NULL CHECK (admin_email = lower(admin_email) AND admin_email LIKE '%_@_%'),
    plugin_id TEXT NOT NULL,
    plugin_version TEXT NOT NULL,
    -- The slug the tenant will get, proposed at sign-up so the operator can approve by it.
    slug TEXT NOT NULL CHECK (slug NOT GLOB '*[^a-z0-9-]*' AND length(slug) BETWEEN 1 AND 63),
    status TEXT NOT NULL CHECK (status IN ('awaiting_email', 'awaiting_approval', 'approved', 'rejected')),
    tenant_id TEXT REFERENCES tenants (id),
    created_at TIMESTAMP NOT NULL,
    email_confirmed_at TIMESTAMP,
    decided_at TIMESTAMP,
    decided_by TEXT REFERENCES users (id),
    FOREIGN KEY (plugin_id, plugin_version) REFERENCES plugins (id, version)
);
-- A council signs up once: a second open (or approved) sign-up for the same area is refused.
CREATE UNIQUE INDEX signups_one_per_council ON signups (ons_code) WHERE status <> 'rejected';
CREATE UNIQUE INDEX signups_open_slug ON signups (slug) WHERE status IN ('awaiting_email', 'awaiting_approval');

CREATE TABLE email_tokens (
    token_hash TEXT NOT NULL PRIMARY KEY CHECK (length(token_hash) = 64),
    purpose TEXT NOT NULL CHECK (purpose IN ('login', 'operator_login', 'confirm_signup')),
    email TEXT NOT NULL,
    -- The tenant a login link is for; NULL for operator links and sign-up confirmations.
    tenant_id TEXT REFERENCES tenants (id),
    signup_id TEXT REFERENCES signups (id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX email_tokens_email ON email_tokens (email, created_at);

CREATE TABLE tenant_oidc (
    tenant_id TEXT NOT NULL PRIMARY KEY REFERENCES tenants (id),
    issuer TEXT NOT NULL,
    client_id TEXT NOT NULL,
    -- base64 of nonce || ciphertext (ChaCha20-Poly1305), bound to the tenant id.
    client_secret_sealed TEXT NOT NULL,
    -- Lower-case domains, comma separated; users from them may log in without an invitation.
    allowed_domains TEXT NOT NULL DEFAULT '',
    updated_at TIMESTAMP NOT NULL,
    updated_by TEXT REFERENCES users (id)
);

CREATE TABLE api_tokens (
    id TEXT NOT NULL PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    token_hash TEXT NOT NULL UNIQUE CHECK (length(token_hash) = 64),
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);
CREATE INDEX api_tokens_tenant_user ON api_tokens (tenant_id, user_id);

CREATE TABLE sessions (
    id_hash TEXT NOT NULL PRIMARY KEY CHECK (length(id_hash) = 64),
    user_id TEXT REFERENCES users (id),
    data TEXT NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
