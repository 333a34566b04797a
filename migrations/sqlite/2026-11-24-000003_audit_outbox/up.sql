-- The audit log of every change, the mail outbox, and the rule that decisions and the audit
-- log are append-only: the database itself refuses to change or remove a row of either.

CREATE TABLE audit_log (
    id TEXT NOT NULL PRIMARY KEY,
    -- NULL for platform-level events (an operator approving a council, say).
    tenant_id TEXT REFERENCES tenants (id),
    actor_user_id TEXT REFERENCES users (id),
    action TEXT NOT NULL,
    entity_kind TEXT NOT NULL,
    entity_id TEXT,
    -- What changed, a JSON object.
    detail TEXT NOT NULL DEFAULT '{}',
    ip TEXT,
    at TIMESTAMP NOT NULL
);
CREATE INDEX audit_log_tenant_at ON audit_log (tenant_id, at);

CREATE TABLE mail_outbox (
    id TEXT NOT NULL PRIMARY KEY,
    tenant_id TEXT REFERENCES tenants (id),
    -- Makes a second send of the same message impossible (for example "review:<id>:lead:14").
    idempotency_key TEXT NOT NULL UNIQUE,
    message_id TEXT NOT NULL UNIQUE,
    to_address TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TIMESTAMP NOT NULL,
    last_error TEXT,
    sent_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_tenant ON mail_outbox (tenant_id, created_at);

CREATE TRIGGER decisions_no_update BEFORE UPDATE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions is append-only'); END;
CREATE TRIGGER decisions_no_delete BEFORE DELETE ON decisions
BEGIN SELECT RAISE(ABORT, 'decisions is append-only'); END;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
