-- Reminders before reviews and contract ends fall due. Each is written to the mail outbox by a
-- scheduler tick under a unique key (tenant, subject, kind, due date, recipient), so a second
-- write of the same reminder is impossible; a dispatcher claims rows with a lease, sends them
-- and retries transient failures with backoff until a deadline, after which a row is failed
-- and shown to the trust.

-- A trust's reminder settings: the lead times before a review's due date, in days.
CREATE TABLE reminder_settings (
    tenant_id TEXT NOT NULL PRIMARY KEY REFERENCES tenants (id),
    lead_days TEXT NOT NULL DEFAULT '28,14,7,1',
    updated_at TIMESTAMP NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
ALTER TABLE reminder_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON reminder_settings
    USING (tenant_id = current_setting('platform.tenant_id', true)
           OR current_setting('platform.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('platform.tenant_id', true)
                OR current_setting('platform.scope', true) = 'platform');
GRANT SELECT, INSERT, UPDATE, DELETE ON reminder_settings TO platform_app;

-- Which reminders a member of a trust wants, by topic: each one, or none. Escalations of
-- overdue reviews to the trust's admins are sent whatever an admin chose.
CREATE TABLE reminder_preferences (
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    topic TEXT NOT NULL CHECK (topic IN ('reviews', 'contracts')),
    mode TEXT NOT NULL CHECK (mode IN ('each', 'off')),
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (tenant_id, user_id, topic)
);
ALTER TABLE reminder_preferences ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON reminder_preferences
    USING (tenant_id = current_setting('platform.tenant_id', true)
           OR current_setting('platform.scope', true) = 'platform')
    WITH CHECK (tenant_id = current_setting('platform.tenant_id', true)
                OR current_setting('platform.scope', true) = 'platform');
GRANT SELECT, INSERT, UPDATE, DELETE ON reminder_preferences TO platform_app;

-- One-click unsubscribe (RFC 8058): each reminder carries its own link; only the link's hash is
-- kept, with the member and the topic it turns off. Single-purpose: it does nothing else.
CREATE TABLE unsubscribe_tokens (
    token_hash TEXT NOT NULL PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    topic TEXT NOT NULL CHECK (topic IN ('reviews', 'contracts')),
    created_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);

GRANT SELECT, INSERT, UPDATE ON unsubscribe_tokens TO platform_app;

-- Each member's secret calendar feed (iCalendar) of their reviews and deadlines: only the
-- link's hash is kept; a new link or a revocation ends the old one.
CREATE TABLE calendar_feeds (
    token_hash TEXT NOT NULL PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

GRANT SELECT, INSERT, UPDATE ON calendar_feeds TO platform_app;

-- How long before a contract's end the commissioner wants to be told (time to re-commission).
ALTER TABLE contracts ADD COLUMN notice_months INTEGER NOT NULL DEFAULT 6 CHECK (notice_months BETWEEN 0 AND 36);

-- What a reminder in the outbox is about, for the trust's reminders page, and its lease.
ALTER TABLE mail_outbox ADD COLUMN kind TEXT;
ALTER TABLE mail_outbox ADD COLUMN subject_kind TEXT;
ALTER TABLE mail_outbox ADD COLUMN subject_id TEXT;
ALTER TABLE mail_outbox ADD COLUMN due_on DATE;
ALTER TABLE mail_outbox ADD COLUMN recipient_user_id TEXT REFERENCES users (id);
ALTER TABLE mail_outbox ADD COLUMN lease_until TIMESTAMP;
ALTER TABLE mail_outbox ADD COLUMN claimed_by TEXT;
-- Retries stop here: a row still unsent then is failed, never retried for ever.
ALTER TABLE mail_outbox ADD COLUMN give_up_at TIMESTAMP;
-- Where a reminder's one-click unsubscribe goes (its List-Unsubscribe header); none for an
-- escalation to a trust's admins, which cannot be turned off.
ALTER TABLE mail_outbox ADD COLUMN unsubscribe_url TEXT;
CREATE INDEX mail_outbox_subject ON mail_outbox (tenant_id, subject_kind, subject_id);
